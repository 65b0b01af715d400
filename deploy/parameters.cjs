const { givenLimits } = require("./descriptor.cjs");

// The stack's parameters: its limits (src/deploy/limits.ts), with the defaults the deploy
// options give them.
module.exports = async ({ resolveVariable }) => (await givenLimits(resolveVariable)).parameters;
