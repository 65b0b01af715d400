import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDeployArgs, SERVICE } from "../../../src/deploy/deploy-options.js";

describe("npm run deploy's command line", () => {
  it("takes the architecture first and finds the stack of serverless.yml's defaults", () => {
    expect(parseDeployArgs(["micro"])).toEqual({
      architecture: "micro",
      stage: "dev",
      region: "us-east-1",
      profile: undefined,
      oslsArgs: [],
      stackName: "serverless-store-dev",
    });
  });

  it("hands every option to osls and reads the stage, region and profile from them", () => {
    const args = [
      "--stage",
      "prod",
      "--region=eu-west-1",
      "--aws-profile",
      "shop",
      "--param=corsOrigins=https://shop.example",
    ];
    expect(parseDeployArgs(["nano", ...args])).toEqual({
      architecture: "nano",
      stage: "prod",
      region: "eu-west-1",
      profile: "shop",
      oslsArgs: args,
      stackName: "serverless-store-prod",
    });
    expect(parseDeployArgs(["graph", "-s", "qa", "-r", "ap-south-1"])).toMatchObject({
      stage: "qa",
      region: "ap-south-1",
      stackName: "serverless-store-qa",
    });
  });

  it("refuses a missing or misspelt architecture, and one given as a param", () => {
    expect(() => parseDeployArgs([])).toThrow(/usage: npm run deploy/);
    expect(() => parseDeployArgs(["--stage", "prod"])).toThrow(/not "--stage"/);
    expect(() => parseDeployArgs(["monolit"])).toThrow(/not "monolit"/);
    expect(() => parseDeployArgs(["nano", "--param=architecture=micro"])).toThrow(/first argument/);
  });

  it("names the stack as serverless.yml does (its service, no stackName of its own)", () => {
    const yml = readFileSync("serverless.yml", "utf8");
    expect(yml).toMatch(new RegExp(`^service: ${SERVICE}$`, "m"));
    expect(yml).not.toMatch(/stackName/);
    expect(yml).toMatch(/stage: \$\{opt:stage, 'dev'\}/);
    expect(yml).toMatch(/region: \$\{opt:region, 'us-east-1'\}/);
  });
});
