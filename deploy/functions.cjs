const { loadDescriptor } = require("./descriptor.cjs");

// The functions of the architecture, each with its events (preflights included: the handlers
// answer them with the CORS_ORIGINS of the stage); the operators' ones know the site bucket, the
// payment provider's ones the stack's payments. The processing and sweeper functions are told
// where to post order updates: the stage's WebSocket API, whose stage name is only known here.
module.exports = async ({ resolveVariable }) => {
  const {
    functions,
    operatorFunctions,
    operatorEnvironment,
    paymentFunctions,
    payments,
    mailFunctions,
    orderLinkFunctions,
    mail,
  } = await loadDescriptor(resolveVariable);
  const stage = await resolveVariable("sls:stage");
  if (stage === "offline") return functions;
  // The operators' functions sign image uploads to the stack's site bucket.
  for (const name of operatorFunctions ?? []) {
    const fn = functions[name];
    if (fn !== undefined) fn.environment = { ...fn.environment, ...operatorEnvironment };
  }
  // The functions that talk to the payment provider: which one, and Stripe's settings (the
  // secrets by their SSM parameters' names, read at a cold start).
  for (const name of paymentFunctions ?? []) {
    const fn = functions[name];
    if (fn !== undefined) fn.environment = { ...fn.environment, ...payments.environment };
  }
  // The functions that make or open guests' order links: the key's SSM parameter, by name; the
  // ones that send the order e-mails: SES, the sender, the configuration set, the page's address.
  for (const name of orderLinkFunctions ?? []) {
    const fn = functions[name];
    if (fn !== undefined) fn.environment = { ...fn.environment, ...mail.linkEnvironment };
  }
  for (const name of mailFunctions ?? []) {
    const fn = functions[name];
    if (fn !== undefined) fn.environment = { ...fn.environment, ...mail.senderEnvironment };
  }
  for (const fn of Object.values(functions)) {
    if (fn.events.some((event) => event.stream !== undefined || event.schedule !== undefined)) {
      fn.environment = {
        ...fn.environment,
        WEBSOCKET_ENDPOINT: {
          "Fn::Sub": `https://\${WebsocketsApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}`,
        },
      };
    }
  }
  return functions;
};
