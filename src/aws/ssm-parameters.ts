// Secrets from SSM Parameter Store, read once per process: one signed
// `GetParameters` over the lean transport of `aws-http.ts` (Systems Manager's JSON 1.1 protocol,
// `POST /` with `X-Amz-Target`), so a function that needs two secrets does not load the SDK's
// SSM client for them. Values are returned to the caller and appear in no error message.
import { type AwsClientOptions, AwsHttpClient, regionOf } from "./aws-http.js";
import {
  AwsServiceError,
  isRetryableRead,
  readJsonAnswer,
  regionalEndpoint,
} from "./json-protocol.js";

export interface SsmClientOptions extends AwsClientOptions {
  /** A stand-in's URL, for example; `https://ssm.<region>.amazonaws.com` when omitted. */
  endpoint?: string;
}

/** A refusal of Systems Manager, named after its `__type` (`AccessDeniedException`). */
export class SsmServiceError extends AwsServiceError {}

/** The parameters could not be used: missing, not SecureString, or the read itself failed. */
export class SecureParameterError extends Error {
  override readonly name = "SecureParameterError";
}

const TARGET = "AmazonSSM.GetParameters";
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** GetParameters takes at most ten names a call. */
const MAX_NAMES = 10;

/** The region's public endpoint of Systems Manager. */
export const ssmEndpoint = (region: string): string => regionalEndpoint("ssm", region);

/** GetParameters' answer, as far as it is read here. */
interface GetParametersAnswer {
  Parameters?: { Name?: string; Type?: string; Value?: string }[];
  InvalidParameters?: string[];
}

/**
 * The decrypted values of the SecureString parameters `names`, by name: one `GetParameters` with
 * `WithDecryption` (the function's role needs `ssm:GetParameters` on them, and `kms:Decrypt` on
 * their key unless it is the account's `aws/ssm`). Throws SecureParameterError naming every
 * parameter that is missing or not a SecureString, or why the read failed; never a value.
 */
export async function readSecureParameters(
  names: readonly string[],
  options: SsmClientOptions = {},
): Promise<Record<string, string>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return {};
  if (unique.length > MAX_NAMES) {
    throw new SecureParameterError(`at most ${MAX_NAMES} parameters are read at once`);
  }
  const region = regionOf(options, "Reading SSM parameters");
  const client = new AwsHttpClient("ssm", region, options.endpoint ?? ssmEndpoint(region), options);
  let answer: GetParametersAnswer;
  try {
    answer = await client.send(
      {
        path: "/",
        headers: { "content-type": CONTENT_TYPE, "x-amz-target": TARGET },
        body: JSON.stringify({ Names: unique, WithDecryption: true }),
      },
      (answer) => readJsonAnswer<GetParametersAnswer>(answer, SsmServiceError),
      isRetryableRead,
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new SecureParameterError(
      `could not read the SSM parameters ${unique.join(", ")} (${why})`,
      { cause: error },
    );
  } finally {
    // Read once per process: no socket is kept for a next time.
    client.destroy();
  }

  const values: Record<string, string> = {};
  const problems: string[] = (answer.InvalidParameters ?? []).map(
    (name) => `${name} does not exist in ${region}`,
  );
  for (const { Name, Type, Value } of answer.Parameters ?? []) {
    if (Name === undefined || !unique.includes(Name)) continue;
    if (Type !== "SecureString") {
      problems.push(`${Name} is a ${Type ?? "parameter of no type"}, not a SecureString`);
    } else if (Value === undefined || Value === "") {
      problems.push(`${Name} has no value`);
    } else {
      values[Name] = Value;
    }
  }
  for (const name of unique) {
    const named = problems.some((problem) => problem.startsWith(`${name} `));
    if (values[name] === undefined && !named) problems.push(`${name} was not answered`);
  }
  if (problems.length > 0) {
    throw new SecureParameterError(`SSM parameters unusable: ${problems.join("; ")}`);
  }
  return values;
}
