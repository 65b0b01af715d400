// How a stack sends its order e-mails: the SES sender and the order-link key's SSM parameter as
// stack parameters (whose defaults deploy options set, as the payments' do), the stack's own SES
// configuration set, what the functions that send get (environment and IAM on exactly the
// sender's identity, the configuration set, the user pool and the key), and the alarm on a
// message given up. The key itself never enters the template: the stack holds its parameter's
// name, the functions read the value at their first link (src/aws/order-link-key.ts).
import { alarm } from "./alarms.js";
import { type CfnResource, USER_POOL_ID, upperFirst } from "./cloudformation.js";
import { SITE_ORIGIN } from "./site.js";

export const MAIL_FROM_ID = "MailFrom";
export const MAIL_IDENTITY_ID = "MailIdentity";
export const ORDER_LINK_KEY_PARAMETER_ID = "OrderLinkKeyParameter";
export const MAIL_CONFIGURATION_SET_ID = "MailConfigurationSet";
export const MAIL_GIVEN_UP_ALARM_ID = "OrderEmailsGivenUpAlarm";
/** Whether MailIdentity and OrderLinkKeyParameter were given, or take their derived values. */
export const MAIL_IDENTITY_GIVEN = "MailIdentityGiven";
export const ORDER_LINK_KEY_PARAMETER_GIVEN = "OrderLinkKeyParameterGiven";

/**
 * The log line the outbox writes (at level error) when it gives a message up after its last
 * try: mail-outbox.ts's words, said by no other line. Matched as a quoted term, so it counts in
 * Lambda's text and JSON log formats alike; not with Lambda's `ERROR` tag, which every line of
 * the shop's logger carries (it writes each entry with console.error).
 */
export const MAIL_GIVEN_UP_LOG_MESSAGE = "order e-mail given up";
/** The metric the given-up lines count into, in the stack's own namespace. */
export const MAIL_GIVEN_UP_METRIC = "OrderEmailsGivenUp";

/** `processOrders` -> `ProcessOrdersGivenUpEmailsFilter`. */
export const givenUpFilterId = (name: string): string => `${upperFirst(name)}GivenUpEmailsFilter`;

/** A stack parameter of the mail, and the deploy option that sets its default. */
export interface MailParameter {
  /** `--param="<option>=<value>"`, to `npm run deploy` as to osls. */
  option: string;
  parameter: {
    Type: "String";
    /** Absent: the stack cannot be deployed without a value (CloudFormation says so). */
    Default?: string;
    AllowedPattern: string;
    ConstraintDescription: string;
    Description: string;
  };
}

/** What the mail adds to every stack; deploy/*.cjs put the options' values in. */
export interface StackMail {
  parameters: Record<string, MailParameter>;
  conditions: Record<string, object>;
  /** The environment of the functions that send (the stream function and the sweeper). */
  senderEnvironment: Record<string, unknown>;
  /** The environment of the functions that make or open guests' order links. */
  linkEnvironment: Record<string, unknown>;
}

/**
 * A From as SES takes it: `shop@example.com` or `Shop <shop@example.com>`, one `@` only (the
 * identity's default is what follows it).
 */
const MAIL_FROM_PATTERN =
  '^([^<>@"\\r\\n]+ <[^\\s<>@]+@[^\\s<>@]+\\.[^\\s<>@]+>|[^\\s<>@]+@[^\\s<>@]+\\.[^\\s<>@]+)$';
/** An address or a domain, as SES names a verified identity; empty: MailFrom's domain. */
const MAIL_IDENTITY_PATTERN = "^$|^([^\\s<>@]+@)?[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$";
/** A fully qualified SSM parameter name, or nothing (see payments.ts). */
const SSM_NAME_PATTERN = "^$|^/[a-zA-Z0-9_.\\-/]{1,1010}$";

/** The domain of MailFrom: after its `@`, before a closing `>`. */
const mailFromDomain = {
  "Fn::Select": [
    0,
    { "Fn::Split": [">", { "Fn::Select": [1, { "Fn::Split": ["@", { Ref: MAIL_FROM_ID }] }] }] },
  ],
};

/** The SES identity the stack sends from: MailIdentity, else MailFrom's domain. */
const mailIdentity = {
  "Fn::If": [MAIL_IDENTITY_GIVEN, { Ref: MAIL_IDENTITY_ID }, mailFromDomain],
};

/** The order-link key's parameter: OrderLinkKeyParameter, else `/<stack>/order-link-key`. */
const orderLinkKeyParameter = {
  "Fn::If": [
    ORDER_LINK_KEY_PARAMETER_GIVEN,
    { Ref: ORDER_LINK_KEY_PARAMETER_ID },
    { "Fn::Sub": `/\${AWS::StackName}/order-link-key` },
  ],
};

const arnOf = (resource: string, variables: Record<string, unknown>) => ({
  "Fn::Sub": [`arn:\${AWS::Partition}:${resource}`, variables],
});

export function stackMail(): StackMail {
  return {
    parameters: {
      [MAIL_FROM_ID]: {
        option: "mailFrom",
        parameter: {
          Type: "String",
          AllowedPattern: MAIL_FROM_PATTERN,
          ConstraintDescription:
            "an address, or Name <address>, that SES has verified (or whose domain it has)",
          Description:
            "The sender of the order e-mails (From): an address of an identity verified in SES in the stack's region (docs/deploy-aws.md)",
        },
      },
      [MAIL_IDENTITY_ID]: {
        option: "mailIdentity",
        parameter: {
          Type: "String",
          Default: "",
          AllowedPattern: MAIL_IDENTITY_PATTERN,
          ConstraintDescription: "an e-mail address or a domain",
          Description:
            "The SES identity verified for MailFrom: its domain (the default when empty) or the address itself; the functions may send from it only",
        },
      },
      [ORDER_LINK_KEY_PARAMETER_ID]: {
        option: "orderLinkKeyParameter",
        parameter: {
          Type: "String",
          Default: "",
          AllowedPattern: SSM_NAME_PATTERN,
          ConstraintDescription: "a SecureString parameter's full name, starting with /",
          Description:
            "Name (not value) of the SSM SecureString parameter holding the key of guests' order links (32 random bytes, base64url); empty: /<stack name>/order-link-key",
        },
      },
    },
    conditions: {
      [MAIL_IDENTITY_GIVEN]: { "Fn::Not": [{ "Fn::Equals": [{ Ref: MAIL_IDENTITY_ID }, ""] }] },
      [ORDER_LINK_KEY_PARAMETER_GIVEN]: {
        "Fn::Not": [{ "Fn::Equals": [{ Ref: ORDER_LINK_KEY_PARAMETER_ID }, ""] }],
      },
    },
    senderEnvironment: {
      MAIL_PROVIDER: "ses",
      MAIL_FROM: { Ref: MAIL_FROM_ID },
      MAIL_CONFIGURATION_SET: { Ref: MAIL_CONFIGURATION_SET_ID },
      // The storefront's own address (its CloudFront domain): the order links point there.
      SHOP_URL: SITE_ORIGIN,
      ORDER_LINK_KEY_PARAMETER: orderLinkKeyParameter,
    },
    linkEnvironment: { ORDER_LINK_KEY_PARAMETER: orderLinkKeyParameter },
  };
}

/**
 * The stack's configuration set, named after the stack: every message is sent with it, so its
 * reputation metrics (bounce and complaint rates) are the shop's alone, and TLS is required to
 * the recipient's server, as the e-mails of guests carry the links that open their orders.
 */
export function mailConfigurationSet(): CfnResource {
  return {
    Type: "AWS::SES::ConfigurationSet",
    Properties: {
      Name: { "Fn::Sub": `\${AWS::StackName}` },
      DeliveryOptions: { TlsPolicy: "REQUIRE" },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    },
  };
}

/**
 * Sending the order e-mails: `ses:SendEmail` on exactly the sender's identity and the stack's
 * configuration set (SES v2 authorizes SendEmail against both when a set is named), reading
 * the customer's current address from the user pool, and nothing else of either service.
 */
export function mailSending(): object[] {
  return [
    {
      Effect: "Allow",
      Action: "ses:SendEmail",
      Resource: [
        arnOf(`ses:\${AWS::Region}:\${AWS::AccountId}:identity/\${Identity}`, {
          Identity: mailIdentity,
        }),
        arnOf(`ses:\${AWS::Region}:\${AWS::AccountId}:configuration-set/\${ConfigurationSet}`, {
          ConfigurationSet: { Ref: MAIL_CONFIGURATION_SET_ID },
        }),
      ],
    },
    {
      Effect: "Allow",
      Action: "cognito-idp:AdminGetUser",
      Resource: { "Fn::GetAtt": [USER_POOL_ID, "Arn"] },
    },
  ];
}

/**
 * Reading the order-link key's parameter, exactly it (no `kms:Decrypt`: it is encrypted with
 * the account's `aws/ssm` key, as payments.ts explains for the Stripe secrets).
 */
export function orderLinkKeyRead(): object {
  return {
    Effect: "Allow",
    Action: "ssm:GetParameters",
    Resource: arnOf(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${Name}`, {
      Name: orderLinkKeyParameter,
    }),
  };
}

/**
 * The alarm on order e-mails given up after their last try: each sending function's log lines
 * saying so count into one metric, which alarms on the first one and tells the alerts topic.
 */
export function mailGivenUpResources(senders: readonly string[]): Record<string, CfnResource> {
  const namespace = { "Fn::Sub": `\${AWS::StackName}/Mail` };
  const resources: Record<string, CfnResource> = {};
  for (const name of senders) {
    resources[givenUpFilterId(name)] = {
      Type: "AWS::Logs::MetricFilter",
      Properties: {
        // The log group the framework creates for the function (its Ref is the group's name).
        LogGroupName: { Ref: `${upperFirst(name)}LogGroup` },
        FilterPattern: `"${MAIL_GIVEN_UP_LOG_MESSAGE}"`,
        MetricTransformations: [
          {
            MetricNamespace: namespace,
            MetricName: MAIL_GIVEN_UP_METRIC,
            MetricValue: "1",
            Unit: "Count",
          },
        ],
      },
    };
  }
  resources[MAIL_GIVEN_UP_ALARM_ID] = alarm(
    "An order e-mail was given up after its last try (the customer was not told): read the sending function's logs for why, fix it, and tell the customer",
    { Namespace: namespace, MetricName: MAIL_GIVEN_UP_METRIC, Statistic: "Sum", Period: 300 },
  );
  return resources;
}
