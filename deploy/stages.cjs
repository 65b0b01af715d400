const { loadDescriptor } = require("./descriptor.cjs");

// What the stack sets on the stages the framework compiles (the descriptor's `limits.stages`,
// src/deploy/limits.ts). The framework has no setting for a REST stage's throttling and compiles
// that stage inside a Deployment whose logical id changes on every package, so this plugin works
// on the template once serverless.yml's resources are merged into it, before it is saved:
// - the throttling, Refs to the stack's limit parameters: the Deployment's StageDescription
//   (every method of the REST stage) and the WebSocket stage's DefaultRouteSettings;
// - the resources that name the REST stage (the per-client web ACL's association, when the
//   stack has it) wait for that Deployment, which creates the stage.
// serverless.yml hands it the descriptor's settings as `custom.stages`.
class Stages {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      "after:aws:package:finalize:mergeCustomProviderResources": () => this.apply(),
    };
  }

  apply() {
    const stages = this.serverless.service.custom?.stages;
    if (stages === undefined || stages === null) {
      throw new Error("stages: serverless.yml gives no custom.stages");
    }
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const deployments = Object.keys(resources).filter(
      (id) => resources[id].Type === "AWS::ApiGateway::Deployment",
    );
    if (deployments.length !== 1) {
      throw new Error(`stages: expected one REST API deployment, found ${deployments.length}`);
    }
    for (const resource of Object.values(resources)) {
      const properties = resource.Properties;
      if (resource.Type === "AWS::ApiGateway::Deployment") {
        properties.StageDescription = { ...properties.StageDescription, ...stages.rest };
      } else if (resource.Type === "AWS::ApiGatewayV2::Stage") {
        properties.DefaultRouteSettings = {
          ...properties.DefaultRouteSettings,
          ...stages.websocket,
        };
      }
    }
    for (const id of stages.restStageDependents) {
      const resource = resources[id];
      if (resource === undefined) continue;
      resource.DependsOn = [...[resource.DependsOn ?? []].flat(), ...deployments];
    }
  }
}

/** The descriptor's stage settings of the architecture packaged, for `custom.stages`. */
Stages.settings = async ({ resolveVariable }) =>
  (await loadDescriptor(resolveVariable)).limits.stages;

module.exports = Stages;
