import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/compose/index.js";
import { stackPayments } from "../../../src/deploy/payments.js";

/** What CloudFormation makes of a function's environment: Refs to parameters, Fn::If on the
 * Stripe condition, AWS::NoValue dropping the variable. */
function resolve(
  environment: Record<string, object>,
  parameters: Record<string, string>,
): Record<string, string> {
  const stripe = parameters.PaymentProvider === "stripe";
  const value = (node: unknown): string | undefined => {
    const { Ref, "Fn::If": choice } = node as { Ref?: string; "Fn::If"?: unknown[] };
    if (Ref === "AWS::NoValue") return undefined;
    if (Ref !== undefined) return parameters[Ref];
    if (choice !== undefined) return value(stripe ? choice[1] : choice[2]);
    throw new Error(`unresolved: ${JSON.stringify(node)}`);
  };
  const resolved: Record<string, string> = {};
  for (const [name, node] of Object.entries(environment)) {
    const given = value(node);
    if (given !== undefined) resolved[name] = given;
  }
  return resolved;
}

const defaults = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(stackPayments().parameters).map(([id, { parameter }]) => [
      id,
      parameter.Default,
    ]),
  );

// What every function of a stack has besides (deploy/environment.cjs), in AWS.
const STACK_ENV = {
  NODE_ENV: "production",
  STORE: "dynamodb",
  DYNAMODB_TABLE: "store",
  AWS_REGION: "eu-west-1",
  AUTH_MODE: "cognito",
  COGNITO_USER_POOL_ID: "eu-west-1_example",
  COGNITO_CLIENT_ID: "client",
  CORS_ORIGINS: "https://shop.example",
};

describe("the payments' environment, as a stack gives it", () => {
  it("starts the demo provider with the parameters' defaults, no Stripe setting given", () => {
    const env = resolve(stackPayments().environment, defaults());
    expect(env).toEqual({ PAYMENT_PROVIDER: "demo" });
    expect(loadConfig({ ...STACK_ENV, ...env }).payment.provider).toBe("demo");
  });

  it("starts Stripe with the secrets read from the two parameters it names", () => {
    const env = resolve(stackPayments().environment, {
      ...defaults(),
      PaymentProvider: "stripe",
      StripePublishableKey: "pk_test_51Example",
      StripeSecretKeyParameter: "/shop/stripe/secret-key",
      StripeWebhookSecretParameter: "/shop/stripe/webhook-secret",
    });
    expect(loadConfig({ ...STACK_ENV, ...env }).payment).toEqual({
      provider: "stripe",
      publishableKey: "pk_test_51Example",
      secrets: {
        from: "ssm",
        secretKeyParameter: "/shop/stripe/secret-key",
        webhookSecretParameter: "/shop/stripe/webhook-secret",
      },
      windowMinutes: 60,
    });
  });

  it("accepts as a parameter name only full names, for which the ARN is parameter followed by the name", () => {
    const pattern = new RegExp(
      stackPayments().parameters.StripeSecretKeyParameter?.parameter.AllowedPattern ?? "",
    );
    for (const name of ["", "/shop/stripe/secret-key", "/a.b_c-d"]) {
      expect(pattern.test(name), name).toBe(true);
    }
    for (const name of ["shop/stripe", "stripe-secret", "/has space", "sk_test_abc"]) {
      expect(pattern.test(name), name).toBe(false);
    }
  });
});
