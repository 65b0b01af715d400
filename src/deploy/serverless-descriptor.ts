import { needsSignIn } from "../http/index.js";
import {
  MAIL_STREAM_FILTER_PATTERN,
  OPERATOR_ONLY_PARTITIONS,
  ORDER_STREAM_FILTER_PATTERN,
} from "../store/dynamodb/table.js";
import { alarmResources } from "./alarms.js";
import { type Architecture, type FunctionSpec, functionsOf } from "./architectures.js";
import {
  ADMIN_GROUP_ID,
  ALERTS_TOPIC_ID,
  AUTHORIZER_ID,
  arn,
  type CfnResource,
  PROCESSING_DLQ_ID,
  REST_API_ID,
  TABLE_ID,
  USER_POOL_CLIENT_ID,
  USER_POOL_ID,
  upperFirst,
  WEBSOCKET_API_ID,
  WEBSOCKET_STAGE_ID,
} from "./cloudformation.js";
import { type StackLimits, stackLimits } from "./limits.js";
import {
  MAIL_CONFIGURATION_SET_ID,
  mailConfigurationSet,
  mailGivenUpResources,
  mailSending,
  orderLinkKeyRead,
  type StackMail,
  stackMail,
} from "./mail.js";
import { memorySizeMb } from "./memory-sizes.js";
import { paymentSecretsRead, type StackPayments, stackPayments } from "./payments.js";
import {
  paymentLedgerWrite,
  recoveryResources,
  SWEEP_SCHEDULE,
  SWEEP_TIMEOUT_SECONDS,
} from "./recovery.js";
import {
  adminGroup,
  authorizer,
  gatewayResponses,
  processingDeadLetterQueue,
  table,
  userPool,
  userPoolClient,
} from "./resources.js";
import {
  SITE_BUCKET_ID,
  SITE_DISTRIBUTION_ID,
  SITE_ORIGIN,
  siteResources,
  UPLOADS_PREFIX,
} from "./site.js";

export interface HttpEvent {
  http: {
    method: string;
    path: string;
    authorizer?: { type: "COGNITO_USER_POOLS"; authorizerId: { Ref: string }; scopes: string[] };
  };
}

export interface WebSocketRouteEvent {
  websocket: { route: string };
}

export interface StreamEvent {
  stream: Record<string, unknown>;
}

export interface ScheduleEvent {
  schedule: { rate: string[]; enabled: boolean };
}

type FunctionEvent = HttpEvent | WebSocketRouteEvent | StreamEvent | ScheduleEvent;

export interface ServerlessFunction {
  handler: string;
  description: string;
  role: string;
  /** MB, from the function's measured peak memory (memory-sizes.ts). */
  memorySize: number;
  timeout?: number;
  package: { patterns: string[] };
  events: FunctionEvent[];
}

/** What serverless.yml takes from the route table for one architecture. */
export interface ServerlessDescriptor {
  architecture: Architecture;
  functions: Record<string, ServerlessFunction>;
  resources: Record<string, CfnResource>;
  outputs: Record<string, { Description: string; Value: unknown }>;
  /** What the functions allow as CORS origin when the `corsOrigins` param is not given: the
   * storefront's CloudFront address (deploy/environment.cjs and deploy/resources.cjs). */
  siteOrigin: typeof SITE_ORIGIN;
  /**
   * The functions that serve the operators: deploy/functions.cjs gives them UPLOADS_BUCKET (the
   * site bucket, where they sign image uploads to) outside the offline stage.
   */
  operatorFunctions: string[];
  /** The environment those functions get in AWS. */
  operatorEnvironment: Record<string, unknown>;
  /**
   * The stack's limits: the stages' throttling (parameters whose defaults deploy options set,
   * which deploy/stages.cjs puts on the compiled stages) and the per-client web ACL that
   * `--param="clientRateLimit=N"` adds (limits.ts).
   */
  limits: StackLimits;
  /**
   * The functions that talk to the payment provider: deploy/functions.cjs gives them the
   * payments' environment (the provider and Stripe's settings, secrets by name) outside the
   * offline stage; their roles may read the secrets' parameters in a Stripe stack.
   */
  paymentFunctions: string[];
  /** The payments' stack parameters, condition and environment (payments.ts). */
  payments: StackPayments;
  /**
   * The functions that send the order e-mails (the stream function and the sweeper):
   * deploy/functions.cjs gives them the mail's sender environment outside the offline stage.
   */
  mailFunctions: string[];
  /**
   * The functions that make or open guests' order links (the senders, the guest order routes'
   * and GraphQL's, the WebSocket's): they get the order-link key's parameter name, and may read it.
   */
  orderLinkFunctions: string[];
  /** The mail's stack parameters, conditions and environments (mail.ts). */
  mail: StackMail;
}

/** The stack outputs the deploy script reads to upload the site and write its config.json. */
export const STACK_OUTPUTS = {
  siteUrl: "SiteUrl",
  siteBucket: "SiteBucketName",
  distributionId: "SiteDistributionId",
  apiUrl: "ApiUrl",
  websocketUrl: "WebsocketUrl",
  region: "Region",
  userPoolClientId: "UserPoolClientId",
  cognitoEndpoint: "CognitoEndpoint",
} as const;

/** The DynamoDB writes an operator-only partition is denied to every other function. */
const OPERATOR_WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** Seconds the processing function may run: the payment step (1 s by default), posting, and
 * sending a batch's e-mails (each at most two SES tries and a user-pool read). */
const PROCESSING_TIMEOUT_SECONDS = 30;
/** Where `npm run build` puts a function's bundle; the handler and package patterns point here. */
export const bundleDir = (name: string): string => `dist/functions/${name}`;

/**
 * The scope every access token of the user pool carries. A Cognito authorizer checks access
 * tokens (what the handlers verify too) only when the method names a scope; without one it
 * would want ID tokens instead.
 */
const ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin";

export const roleId = (name: string): string => `${upperFirst(name)}Role`;

/**
 * Derives the functions, the resources and the outputs of `architecture` from the route table:
 * one function per entry of `functionsOf`, its HTTP events from its routes (the Cognito
 * authorizer on the routes that need a user, and only there), and a role per function with the
 * least it needs.
 */
export function describeArchitecture(architecture: Architecture): ServerlessDescriptor {
  const specs = functionsOf(architecture);
  const functions: Record<string, ServerlessFunction> = {};
  const resources: Record<string, CfnResource> = {
    [TABLE_ID]: table(),
    [USER_POOL_ID]: userPool(),
    [USER_POOL_CLIENT_ID]: userPoolClient(),
    [ADMIN_GROUP_ID]: adminGroup(),
    [PROCESSING_DLQ_ID]: processingDeadLetterQueue(),
    ...recoveryResources(),
    ...alarmResources(specs),
    [MAIL_CONFIGURATION_SET_ID]: mailConfigurationSet(),
    ...mailGivenUpResources(specs.filter(sendsMail).map((spec) => spec.name)),
    ...gatewayResponses(),
    ...siteResources(),
  };
  const needsAuthorizer = specs.some((spec) => spec.routes.some(needsSignIn));
  if (needsAuthorizer) resources[AUTHORIZER_ID] = authorizer();

  // Each resource's preflight goes to the first function serving it: the router answers it
  // with the resource's methods across the whole API, echoes only an allowed Origin and says
  // Vary: Origin. API Gateway's own MOCK preflight (serverless' `cors: true`) answers a
  // disallowed origin with the first allowed one and never varies, hence not that.
  const preflighted = new Set<string>();
  for (const spec of specs) {
    const preflights = [...new Set(spec.routes.map((route) => route.resource))].filter(
      (resource) => !preflighted.has(resource),
    );
    for (const resource of preflights) preflighted.add(resource);
    functions[spec.name] = lambdaFunction(spec, preflights);
    resources[roleId(spec.name)] = role(spec);
  }
  return {
    architecture,
    functions,
    resources,
    outputs: outputs(),
    siteOrigin: SITE_ORIGIN,
    operatorFunctions: specs.filter((spec) => spec.operator).map((spec) => spec.name),
    operatorEnvironment: { UPLOADS_BUCKET: { Ref: SITE_BUCKET_ID } },
    limits: stackLimits(webhookPaths(specs)),
    paymentFunctions: specs.filter((spec) => spec.paymentProvider).map((spec) => spec.name),
    payments: stackPayments(),
    mailFunctions: specs.filter(sendsMail).map((spec) => spec.name),
    orderLinkFunctions: specs.filter(opensOrderLinks).map((spec) => spec.name),
    mail: stackMail(),
  };
}

/** The order processing and the sweeper send the outbox's e-mails. */
const sendsMail = (spec: FunctionSpec): boolean =>
  spec.trigger === "stream" || spec.trigger === "schedule";

/**
 * A function that makes guests' order links (the senders) or opens them: the guest order routes
 * and GraphQL (whose guest order fields take a link's token as the checkout's), and the
 * WebSocket's subscription of a guest to their order.
 */
const opensOrderLinks = (spec: FunctionSpec): boolean =>
  sendsMail(spec) ||
  spec.trigger === "websocket" ||
  spec.routes.some(
    (route) => route.resource.startsWith("/guest-orders/{id}") || route.group === "graphql",
  );

/** The resources of the webhooks the architecture serves, once each. */
const webhookPaths = (specs: readonly FunctionSpec[]): string[] => [
  ...new Set(
    specs.flatMap((spec) =>
      spec.routes.filter((route) => route.webhook === true).map((route) => route.resource),
    ),
  ),
];

function outputs(): ServerlessDescriptor["outputs"] {
  const apiHost = `.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${${WEBSOCKET_STAGE_ID}}`;
  return {
    UserPoolId: { Description: "Cognito user pool of the store", Value: { Ref: USER_POOL_ID } },
    [STACK_OUTPUTS.userPoolClientId]: {
      Description: "App client for sign-up and sign-in (USER_PASSWORD_AUTH)",
      Value: { Ref: USER_POOL_CLIENT_ID },
    },
    TableName: { Description: "The store's DynamoDB table", Value: { Ref: TABLE_ID } },
    [STACK_OUTPUTS.siteUrl]: { Description: "The storefront", Value: SITE_ORIGIN },
    [STACK_OUTPUTS.siteBucket]: {
      Description: "Private bucket of the storefront's files (npm run deploy uploads them)",
      Value: { Ref: SITE_BUCKET_ID },
    },
    [STACK_OUTPUTS.distributionId]: {
      Description: "CloudFront distribution of the storefront",
      Value: { Ref: SITE_DISTRIBUTION_ID },
    },
    [STACK_OUTPUTS.apiUrl]: {
      Description: "REST API base URL, with its stage (config.json apiUrl)",
      Value: { "Fn::Sub": `https://\${${REST_API_ID}}${apiHost}` },
    },
    [STACK_OUTPUTS.websocketUrl]: {
      Description: "WebSocket API URL, with its stage (config.json websocketUrl)",
      Value: { "Fn::Sub": `wss://\${${WEBSOCKET_API_ID}}${apiHost}` },
    },
    [STACK_OUTPUTS.region]: { Description: "Region of the stack", Value: { Ref: "AWS::Region" } },
    AlertsTopicArn: {
      Description:
        "SNS topic of the stack's alarms (orders left in flight, throttling, errors): subscribe to it",
      Value: { Ref: ALERTS_TOPIC_ID },
    },
    [STACK_OUTPUTS.cognitoEndpoint]: {
      Description: "Cognito user-pool API the page signs up and in with (config.json)",
      Value: { "Fn::Sub": `https://cognito-idp.\${AWS::Region}.\${AWS::URLSuffix}/` },
    },
  };
}

function lambdaFunction(spec: FunctionSpec, preflightPaths: string[]): ServerlessFunction {
  const dir = bundleDir(spec.name);
  return {
    handler: `${dir}/index.handler`,
    description: spec.description,
    role: roleId(spec.name),
    memorySize: memorySizeMb(spec.name),
    ...(spec.trigger === "stream" ? { timeout: PROCESSING_TIMEOUT_SECONDS } : {}),
    ...(spec.trigger === "schedule" ? { timeout: SWEEP_TIMEOUT_SECONDS } : {}),
    // Each function's zip holds its own bundle and nothing else; source maps stay local.
    package: { patterns: [`${dir}/**`, `!${dir}/**/*.map`] },
    events: eventsOf(spec, preflightPaths),
  };
}

function eventsOf(spec: FunctionSpec, preflightPaths: string[]): FunctionEvent[] {
  switch (spec.trigger) {
    case "schedule":
      return [{ schedule: { rate: [SWEEP_SCHEDULE], enabled: true } }];
    case "websocket":
      // $connect checks the token of the query string itself, with the REST API's verifier.
      return ["$connect", "$disconnect", "$default"].map((route) => ({ websocket: { route } }));
    case "stream":
      return [
        {
          stream: {
            type: "dynamodb",
            arn: { "Fn::GetAtt": [TABLE_ID, "StreamArn"] },
            startingPosition: "TRIM_HORIZON",
            batchSize: 10,
            // Only inserted orders in PLACED and inserted outbox messages wake the function;
            // processing and sending are idempotent, so a retried batch changes nothing twice.
            filterPatterns: [ORDER_STREAM_FILTER_PATTERN, MAIL_STREAM_FILTER_PATTERN],
            functionResponseType: "ReportBatchItemFailures",
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 10,
            destinations: {
              onFailure: { arn: { "Fn::GetAtt": [PROCESSING_DLQ_ID, "Arn"] }, type: "sqs" },
            },
          },
        },
      ];
    case "http":
      return spec.routes
        .flatMap((route) =>
          // HEAD is GET without the body: the gateway routes it to the GET's function.
          (route.method === "GET" ? ["get", "head"] : [route.method.toLowerCase()]).map(
            (method) => ({ route, method }),
          ),
        )
        .map(
          ({ route, method }): HttpEvent => ({
            http: {
              method,
              path: route.resource,
              ...(needsSignIn(route)
                ? {
                    authorizer: {
                      type: "COGNITO_USER_POOLS" as const,
                      authorizerId: { Ref: AUTHORIZER_ID },
                      scopes: [ACCESS_TOKEN_SCOPE],
                    },
                  }
                : {}),
            },
          }),
        )
        .concat(preflightPaths.map((path) => ({ http: { method: "options", path } })));
  }
}

function role(spec: FunctionSpec): CfnResource {
  const statements: object[] = [
    {
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      // The log group serverless creates for the function (with its retention).
      Resource: arn("logs", `log-group:/aws/lambda/\${AWS::StackName}-${spec.name}:*`),
    },
    {
      // serverless.yml turns X-Ray tracing on; Lambda refuses to create a traced function whose
      // role cannot send segments (the framework adds this only to its own default role).
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    },
  ];
  const tableResources = [
    { "Fn::GetAtt": [TABLE_ID, "Arn"] },
    { "Fn::Sub": `\${${TABLE_ID}.Arn}/index/*` },
  ];
  if (spec.storeActions.length > 0) {
    statements.push({ Effect: "Allow", Action: spec.storeActions, Resource: tableResources });
  }
  const writes = spec.storeActions.filter((action) => OPERATOR_WRITES.includes(action));
  if (spec.operator) {
    statements.push({
      // Product images: the function signs presigned PUTs under uploads/ of the site bucket,
      // which S3 accepts only if the signer may put there itself.
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: { "Fn::Sub": `\${${SITE_BUCKET_ID}.Arn}/${UPLOADS_PREFIX}*` },
    });
  } else if (writes.length > 0) {
    statements.push({
      // Promotion definitions and the stock trail are the operators' to write: a shop function
      // that writes the table may still not touch those partitions (checkout counts a
      // promotion's uses in PROMOTION_USES#, a partition of its own).
      Effect: "Deny",
      Action: writes,
      Resource: tableResources,
      Condition: {
        "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": [...OPERATOR_ONLY_PARTITIONS] },
      },
    });
  }
  if (spec.paymentProvider) statements.push(paymentSecretsRead());
  if (sendsMail(spec)) statements.push(...mailSending());
  if (opensOrderLinks(spec)) statements.push(orderLinkKeyRead());
  if (spec.trigger === "stream" || spec.trigger === "schedule") {
    statements.push(paymentLedgerWrite(), {
      // Posting order updates to the user's WebSocket connections, and nothing else.
      Effect: "Allow",
      Action: "execute-api:ManageConnections",
      Resource: arn("execute-api", `\${${WEBSOCKET_API_ID}}/*/POST/@connections/*`),
    });
  }
  if (spec.trigger === "stream") {
    statements.push(
      {
        Effect: "Allow",
        Action: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        Resource: { "Fn::GetAtt": [TABLE_ID, "StreamArn"] },
      },
      {
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: { "Fn::GetAtt": [PROCESSING_DLQ_ID, "Arn"] },
      },
    );
  }
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      },
      Policies: [
        {
          PolicyName: `${spec.name}-least-privilege`,
          PolicyDocument: { Version: "2012-10-17", Statement: statements },
        },
      ],
    },
  };
}
