const { loadDescriptor } = require("./descriptor.cjs");

// The stack's conditions: whether it takes payments with Stripe (src/deploy/payments.ts), which
// the secrets' IAM statement and the storefront's CSP follow; whether the mail's identity and
// order-link key parameter were given or take their derived values (src/deploy/mail.ts).
module.exports = async ({ resolveVariable }) => {
  const { payments, mail } = await loadDescriptor(resolveVariable);
  return { ...payments.conditions, ...mail.conditions };
};
