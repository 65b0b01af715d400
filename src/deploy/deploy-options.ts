import { type Architecture, isArchitecture } from "./architectures.js";

/** serverless.yml's `service`; with no `provider.stackName`, the stack is `<service>-<stage>`. */
export const SERVICE = "serverless-store";
/** serverless.yml's defaults for `--stage` and `--region`. */
const DEFAULT_STAGE = "dev";
const DEFAULT_REGION = "us-east-1";

/** What `npm run deploy -- <architecture> [osls options]` asks for. */
export interface DeployOptions {
  architecture: Architecture;
  stage: string;
  region: string;
  /** `--aws-profile`, for the SDK clients as well as for osls. */
  profile: string | undefined;
  /** Everything after the architecture, handed to `osls deploy` unchanged. */
  oslsArgs: string[];
  stackName: string;
}

/** Reads the command line: the architecture first (no default: a deploy says what it deploys),
 * then osls options, of which the stage, region and profile locate the stack afterwards. */
export function parseDeployArgs(args: readonly string[]): DeployOptions {
  const [architecture, ...oslsArgs] = args;
  if (architecture === undefined || !isArchitecture(architecture)) {
    throw new Error(
      `usage: npm run deploy -- <nano|micro|monolith|graph> [osls options]${architecture === undefined ? "" : ` (not "${architecture}")`}`,
    );
  }
  if (oslsArgs.some((arg) => /^--param=["']?architecture=/.test(arg))) {
    throw new Error("the architecture is the first argument, not a --param");
  }
  const stage = optionValue(oslsArgs, ["--stage", "-s"]) ?? DEFAULT_STAGE;
  return {
    architecture,
    stage,
    region: optionValue(oslsArgs, ["--region", "-r"]) ?? DEFAULT_REGION,
    profile: optionValue(oslsArgs, ["--aws-profile"]),
    oslsArgs,
    stackName: `${SERVICE}-${stage}`,
  };
}

/** The value of `--name value` or `--name=value` (the last one wins, as in osls). */
function optionValue(args: readonly string[], names: readonly string[]): string | undefined {
  let value: string | undefined;
  args.forEach((arg, index) => {
    for (const name of names) {
      if (arg === name) value = args[index + 1];
      else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
    }
  });
  return value;
}
