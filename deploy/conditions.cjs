const { loadDescriptor } = require("./descriptor.cjs");

// The stack's conditions: whether it takes payments with Stripe (src/deploy/payments.ts), which
// the secrets' IAM statement and the storefront's CSP follow.
module.exports = async ({ resolveVariable }) =>
  (await loadDescriptor(resolveVariable)).payments.conditions;
