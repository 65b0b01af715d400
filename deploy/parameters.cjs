const { givenLimits, givenPayments } = require("./descriptor.cjs");

// The stack's parameters: its limits (src/deploy/limits.ts) and its payments
// (src/deploy/payments.ts), with the defaults the deploy options give them.
module.exports = async ({ resolveVariable }) => ({
  ...(await givenLimits(resolveVariable)).parameters,
  ...(await givenPayments(resolveVariable)),
});
