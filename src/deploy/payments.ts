// How a stack takes payments: the provider and Stripe's settings as stack parameters (whose
// defaults deploy options set, as the limits' do), the condition that says "Stripe", and what
// the functions that talk to the provider get from them. The secrets themselves never enter the
// template: the stack holds the names of two SSM SecureString parameters, the functions read
// their values at a cold start (src/compose/stripe-secrets.ts).
import { type CfnStringParameter, PAYMENT_PROVIDER_ID, STRIPE_PAYMENTS } from "./cloudformation.js";

export const STRIPE_PUBLISHABLE_KEY_ID = "StripePublishableKey";
export const STRIPE_SECRET_KEY_PARAMETER_ID = "StripeSecretKeyParameter";
export const STRIPE_WEBHOOK_SECRET_PARAMETER_ID = "StripeWebhookSecretParameter";

/** The providers a stack may use; the functions read the same names (PAYMENT_PROVIDER). */
export const PAYMENT_PROVIDERS = ["demo", "stripe"] as const;

/** A stack parameter of the payments, and the deploy option that sets its default. */
export interface PaymentParameter {
  /** `--param="<option>=<value>"`, to `npm run deploy` as to osls; not given: the default. */
  option: string;
  parameter: CfnStringParameter;
}

/** What the payments add to every stack; deploy/*.cjs put the options' values in. */
export interface StackPayments {
  parameters: Record<string, PaymentParameter>;
  /** The stack's conditions: `StripePayments` when PaymentProvider is `stripe`. */
  conditions: Record<string, object>;
  /** The environment of the functions that talk to the provider, in AWS: names, never secrets. */
  environment: Record<string, object>;
  /** The parameters that name SSM parameters: a secret's value given instead is refused. */
  secretNameOptions: string[];
  /** The options a Stripe stack needs: its packaging fails without them. */
  stripeOptions: string[];
}

/**
 * A fully qualified SSM parameter name (`/shop/stripe/secret-key`), or nothing. The leading
 * slash is required so that `parameter${name}` is the parameter's ARN (a name without one would
 * need `parameter/${name}`).
 */
const SSM_NAME_PATTERN = "^$|^/[a-zA-Z0-9_.\\-/]{1,1010}$";

const secretName = (what: string): CfnStringParameter => ({
  Type: "String",
  Default: "",
  AllowedPattern: SSM_NAME_PATTERN,
  ConstraintDescription: "a SecureString parameter's full name, starting with /",
  Description: `Name (not value) of the SSM SecureString parameter holding ${what}; read by the functions at a cold start when PaymentProvider is stripe`,
});

/**
 * A parameter's value in a Stripe stack, no variable at all in a demo one: the functions'
 * configuration refuses an empty Stripe setting, and the parameters' defaults are empty.
 */
const onlyWithStripe = (id: string): object => ({
  "Fn::If": [STRIPE_PAYMENTS, { Ref: id }, { Ref: "AWS::NoValue" }],
});

export function stackPayments(): StackPayments {
  return {
    parameters: {
      [PAYMENT_PROVIDER_ID]: {
        option: "paymentProvider",
        parameter: {
          Type: "String",
          Default: "demo",
          AllowedValues: [...PAYMENT_PROVIDERS],
          Description:
            "demo: every payment approved by the shop itself, no money moves; stripe: Stripe PaymentIntents (docs/payments.md)",
        },
      },
      [STRIPE_PUBLISHABLE_KEY_ID]: {
        option: "stripePublishableKey",
        parameter: {
          Type: "String",
          Default: "",
          AllowedPattern: "^$|^pk_(test|live)_[A-Za-z0-9_]+$",
          ConstraintDescription: "a Stripe publishable key, pk_test_... or pk_live_...",
          Description: "Stripe's publishable key (public: the page hands it to Stripe.js)",
        },
      },
      [STRIPE_SECRET_KEY_PARAMETER_ID]: {
        option: "stripeSecretKeyParameter",
        parameter: secretName("Stripe's secret API key"),
      },
      [STRIPE_WEBHOOK_SECRET_PARAMETER_ID]: {
        option: "stripeWebhookSecretParameter",
        parameter: secretName("the webhook endpoint's signing secret"),
      },
    },
    conditions: {
      [STRIPE_PAYMENTS]: { "Fn::Equals": [{ Ref: PAYMENT_PROVIDER_ID }, "stripe"] },
    },
    environment: {
      PAYMENT_PROVIDER: { Ref: PAYMENT_PROVIDER_ID },
      STRIPE_PUBLISHABLE_KEY: onlyWithStripe(STRIPE_PUBLISHABLE_KEY_ID),
      STRIPE_SECRET_KEY_PARAMETER: onlyWithStripe(STRIPE_SECRET_KEY_PARAMETER_ID),
      STRIPE_WEBHOOK_SECRET_PARAMETER: onlyWithStripe(STRIPE_WEBHOOK_SECRET_PARAMETER_ID),
    },
    secretNameOptions: ["stripeSecretKeyParameter", "stripeWebhookSecretParameter"],
    stripeOptions: [
      "stripePublishableKey",
      "stripeSecretKeyParameter",
      "stripeWebhookSecretParameter",
    ],
  };
}

/**
 * Reading the two secrets, on exactly their parameters and only in a Stripe stack (elsewhere
 * the statement is not there at all). No `kms:Decrypt`: the parameters are encrypted with the
 * account's AWS managed key `aws/ssm`, whose key policy already lets every principal of the
 * account decrypt with it through Parameter Store ("The AWS managed key for Parameter Store
 * (aws/ssm) grants Decrypt permission to all IAM principals in the AWS account",
 * docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html). A
 * customer managed key would need `kms:Decrypt` on it as well (docs/payments.md says how).
 */
export function paymentSecretsRead(): object {
  const parameterArn = (id: string) => ({
    "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${id}}`,
  });
  return {
    "Fn::If": [
      STRIPE_PAYMENTS,
      {
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: [
          parameterArn(STRIPE_SECRET_KEY_PARAMETER_ID),
          parameterArn(STRIPE_WEBHOOK_SECRET_PARAMETER_ID),
        ],
      },
      { Ref: "AWS::NoValue" },
    ],
  };
}
