import { readSecureParameters, type SsmClientOptions } from "../aws/ssm-parameters.js";
import { ConfigError } from "./config.js";

/** What the Stripe adapter signs its calls and checks webhooks with. */
export interface StripeSecrets {
  secretKey: string;
  webhookSecret: string;
}

/** Reads SecureString parameters by name; `readSecureParameters` unless a test says otherwise. */
export type SecureParameterReader = (
  names: readonly string[],
  options?: SsmClientOptions,
) => Promise<Record<string, string>>;

type Env = Readonly<Record<string, string | undefined>>;

const LOCAL = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const;
const IN_AWS = ["STRIPE_SECRET_KEY_PARAMETER", "STRIPE_WEBHOOK_SECRET_PARAMETER"] as const;

const given = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
};

const readValue = (values: Record<string, string>, name: string): string => {
  const value = values[name];
  if (value === undefined) throw new Error(`the SSM parameter ${name} was not read`);
  return value;
};

/**
 * Where the Stripe secrets come from, for `PAYMENT_PROVIDER=stripe` (undefined for any other
 * provider): in AWS, the SecureString parameters named by `STRIPE_SECRET_KEY_PARAMETER` and
 * `STRIPE_WEBHOOK_SECRET_PARAMETER` (the stack gives the names, never the values); locally, the
 * values of `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET`. A half-given pair is a ConfigError
 * naming what is missing, at once.
 *
 * The answer reads the parameters on its first call and keeps them for the process (a cold
 * start's one `GetParameters`); a failed read is not kept, so the next call tries again.
 */
export function stripeSecretsFrom(
  env: Env,
  options: SsmClientOptions = {},
  read: SecureParameterReader = readSecureParameters,
): (() => Promise<StripeSecrets>) | undefined {
  if (given(env, "PAYMENT_PROVIDER") !== "stripe") return undefined;
  const [secretKeyParameter, webhookSecretParameter] = IN_AWS.map((name) => given(env, name));
  if (secretKeyParameter !== undefined && webhookSecretParameter !== undefined) {
    let cached: Promise<StripeSecrets> | undefined;
    return () => {
      cached ??= read([secretKeyParameter, webhookSecretParameter], { env, ...options }).then(
        (values) => ({
          secretKey: readValue(values, secretKeyParameter),
          webhookSecret: readValue(values, webhookSecretParameter),
        }),
        (error: unknown) => {
          cached = undefined;
          throw error;
        },
      );
      return cached;
    };
  }
  const [secretKey, webhookSecret] = LOCAL.map((name) => given(env, name));
  if (secretKey !== undefined && webhookSecret !== undefined) {
    const secrets = Promise.resolve({ secretKey, webhookSecret });
    return () => secrets;
  }
  const missing = [...IN_AWS, ...LOCAL].filter((name) => given(env, name) === undefined);
  const half = IN_AWS.some((name) => given(env, name) !== undefined) ? IN_AWS : LOCAL;
  throw new ConfigError(
    `${half.filter((name) => missing.includes(name)).join(", ")}: PAYMENT_PROVIDER=stripe needs ` +
      `${IN_AWS.join(" and ")} (SSM SecureString parameter names, in AWS) or ${LOCAL.join(" and ")}`,
  );
}
