const { givenCorsOrigins, givenLimits, loadDescriptor } = require("./descriptor.cjs");

// The stack's resources, and the per-client web ACL when --param="clientRateLimit=N" asks for it.
// The gateway's responses and the web ACL's 429 name one fixed allowed origin (they cannot echo
// the request's): the storefront's CloudFront address as built, or the first origin of a given
// corsOrigins param.
const ALLOW_ORIGIN = "Access-Control-Allow-Origin";
const GATEWAY_ALLOW_ORIGIN = `gatewayresponse.header.${ALLOW_ORIGIN}`;

module.exports = async ({ resolveVariable }) => {
  const { resources } = await loadDescriptor(resolveVariable);
  const limits = await givenLimits(resolveVariable);
  const all = { ...resources, ...limits.resources };
  const [first] = await givenCorsOrigins(resolveVariable);
  if (first === undefined) return all;
  for (const resource of Object.values(all)) {
    if (resource.Type === "AWS::ApiGateway::GatewayResponse") {
      resource.Properties.ResponseParameters[GATEWAY_ALLOW_ORIGIN] = `'${first}'`;
    } else if (resource.Type === "AWS::WAFv2::WebACL") {
      for (const rule of resource.Properties.Rules) {
        for (const header of rule.Action.Block?.CustomResponse?.ResponseHeaders ?? []) {
          if (header.Name === ALLOW_ORIGIN) header.Value = first;
        }
      }
    }
  }
  return all;
};
