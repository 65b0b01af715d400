const { givenCorsOrigins, loadDescriptor } = require("./descriptor.cjs");

// The gateway responses name one fixed allowed origin (they cannot echo the request's): the
// storefront's CloudFront address as built, or the first origin of a given corsOrigins param.
const ALLOW_ORIGIN = "gatewayresponse.header.Access-Control-Allow-Origin";

module.exports = async ({ resolveVariable }) => {
  const { resources } = await loadDescriptor(resolveVariable);
  const [first] = await givenCorsOrigins(resolveVariable);
  if (first === undefined) return resources;
  for (const resource of Object.values(resources)) {
    if (resource.Type === "AWS::ApiGateway::GatewayResponse") {
      resource.Properties.ResponseParameters[ALLOW_ORIGIN] = `'${first}'`;
    }
  }
  return resources;
};
