const { givenLimits, givenMail, givenPayments } = require("./descriptor.cjs");

// The stack's parameters: its limits (src/deploy/limits.ts), its payments
// (src/deploy/payments.ts) and its mail (src/deploy/mail.ts), with the defaults the deploy
// options give them.
module.exports = async ({ resolveVariable }) => ({
  ...(await givenLimits(resolveVariable)).parameters,
  ...(await givenPayments(resolveVariable)),
  ...(await givenMail(resolveVariable)),
});
