const { loadDescriptor } = require("./descriptor.cjs");

// The stages' throttling (rate and burst) of the descriptor (STAGE_THROTTLING in
// src/deploy/serverless-descriptor.ts). The framework has no setting for a REST stage's
// throttling and compiles that stage inside a Deployment whose logical id changes on every
// package, so this plugin puts the limits on what it compiled, once the template is complete:
// the Deployment's StageDescription (every method of the REST stage) and the WebSocket stage's
// DefaultRouteSettings. serverless.yml hands it the limits as `custom.stageThrottling`.
class StageThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.apply() };
  }

  apply() {
    const limits = this.serverless.service.custom?.stageThrottling;
    if (limits === undefined || limits === null) {
      throw new Error("stage-throttling: serverless.yml gives no custom.stageThrottling");
    }
    const throttling = {
      ThrottlingRateLimit: limits.rateLimit,
      ThrottlingBurstLimit: limits.burstLimit,
    };
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      const properties = resource.Properties;
      if (resource.Type === "AWS::ApiGateway::Deployment") {
        properties.StageDescription = { ...properties.StageDescription, ...throttling };
      } else if (resource.Type === "AWS::ApiGatewayV2::Stage") {
        properties.DefaultRouteSettings = { ...properties.DefaultRouteSettings, ...throttling };
      }
    }
  }
}

/** The descriptor's limits of the architecture packaged, for `custom.stageThrottling`. */
StageThrottling.limits = async ({ resolveVariable }) =>
  (await loadDescriptor(resolveVariable)).stageThrottling;

module.exports = StageThrottling;
