import { paymentUnavailable } from "../domain/index.js";
import { createDemoPaymentProvider } from "../payment/index.js";
import type { Clock, Logger, PaymentLedger, PaymentProvider } from "../services/index.js";
import type { PaymentConfig, StripeSecretsSource } from "./config.js";

interface PaymentDeps {
  ledger: PaymentLedger;
  clock: Clock;
  log: Logger;
}

/**
 * The payment provider `config` names. Stripe's adapter (and Stripe's library with it) and its
 * secrets are loaded at the first payment call, not at start: a function that takes no payment
 * (most of them) never loads either, and the secrets are read from SSM once per process.
 */
export function createPaymentProvider(config: PaymentConfig, deps: PaymentDeps): PaymentProvider {
  if (config.provider === "demo") return createDemoPaymentProvider(config, deps);
  let loading: Promise<PaymentProvider> | undefined;
  const load = (): Promise<PaymentProvider> => {
    if (loading === undefined) {
      loading = loadStripe(config, deps);
      // A failed load (SSM unreachable, say) is tried again by the next call, not remembered.
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
  return {
    name: "stripe",
    charge: async (request) => (await load()).charge(request),
    refund: async (request) => (await load()).refund(request),
    session: async (request) => (await load()).session(request),
    async abandon(request, reason) {
      const provider = await load();
      return provider.abandon === undefined
        ? provider.charge(request)
        : provider.abandon(request, reason);
    },
    webhook: {
      async verify(rawBody, signature) {
        const { webhook } = await load();
        if (webhook === undefined) throw new Error("the Stripe adapter has no webhook");
        return webhook.verify(rawBody, signature);
      },
    },
  };
}

async function loadStripe(
  config: Extract<PaymentConfig, { provider: "stripe" }>,
  deps: PaymentDeps,
): Promise<PaymentProvider> {
  try {
    const [{ createStripePaymentProvider }, secrets] = await Promise.all([
      import("../payment/stripe-payment.js"),
      stripeSecrets(config.secrets),
    ]);
    return createStripePaymentProvider(
      {
        publishableKey: config.publishableKey,
        ...secrets,
        ...(config.apiUrl === undefined ? {} : { apiUrl: config.apiUrl }),
      },
      deps,
    );
  } catch (error) {
    // The parameter's name may be logged, never a value: the SSM reader's errors carry names.
    deps.log({
      level: "error",
      message: "loading the Stripe payment provider failed",
      error: error instanceof Error ? error.message : String(error),
    });
    throw paymentUnavailable(error);
  }
}

async function stripeSecrets(
  source: StripeSecretsSource,
): Promise<{ secretKey: string; webhookSecret: string }> {
  if (source.from === "env") {
    return { secretKey: source.secretKey, webhookSecret: source.webhookSecret };
  }
  const { readSecureParameters } = await import("../aws/ssm-parameters.js");
  const values = await readSecureParameters([
    source.secretKeyParameter,
    source.webhookSecretParameter,
  ]);
  return {
    secretKey: secretFrom(values, source.secretKeyParameter, /^(sk|rk)_(test|live)_\w+$/),
    webhookSecret: secretFrom(values, source.webhookSecretParameter, /^whsec_\w+$/),
  };
}

/**
 * A secret as a parameter holds it, without the line break a file written with `echo` leaves
 * (the CLI's `file://` stores it); checked as the environment's are, naming the parameter only.
 */
function secretFrom(values: Record<string, string>, name: string, pattern: RegExp): string {
  const value = values[name]?.trim();
  if (value === undefined || !pattern.test(value)) {
    throw new Error(`SSM parameter ${name} does not hold a Stripe secret of the right kind`);
  }
  return value;
}
