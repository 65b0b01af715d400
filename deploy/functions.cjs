const { loadDescriptor } = require("./descriptor.cjs");

// The functions of the architecture, each with its HTTP events (preflights included: the
// handlers answer them with the CORS_ORIGINS of the stage).
module.exports = async ({ resolveVariable }) => (await loadDescriptor(resolveVariable)).functions;
