const { loadDescriptor } = require("./descriptor.cjs");

module.exports = async ({ resolveVariable }) => (await loadDescriptor(resolveVariable)).outputs;
