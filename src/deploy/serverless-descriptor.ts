import type { ErrorCode } from "../domain/index.js";
import {
  ORDER_STREAM_FILTER_PATTERN,
  STREAM_VIEW_TYPE,
  TABLE_DEFINITION,
  TIME_TO_LIVE_SPECIFICATION,
} from "../store/dynamodb-table.js";
import { type Architecture, type FunctionSpec, functionsOf } from "./architectures.js";
import { SITE_BUCKET_ID, SITE_DISTRIBUTION_ID, SITE_ORIGIN, siteResources } from "./site.js";

/** A CloudFormation resource, as `resources.Resources` of serverless.yml holds it. */
export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

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

export interface ServerlessFunction {
  handler: string;
  description: string;
  role: string;
  timeout?: number;
  package: { patterns: string[] };
  events: (HttpEvent | WebSocketRouteEvent | StreamEvent)[];
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

export const TABLE_ID = "StoreTable";
export const USER_POOL_ID = "UserPool";
export const USER_POOL_CLIENT_ID = "UserPoolClient";
export const AUTHORIZER_ID = "CognitoAuthorizer";
/** Stream records that failed every retry land here instead of vanishing with an order. */
export const PROCESSING_DLQ_ID = "OrderProcessingDeadLetterQueue";
/** The logical id serverless gives the WebSocket API. */
export const WEBSOCKET_API_ID = "WebsocketsApi";
/** The logical ids serverless gives the REST API and the WebSocket API's stage; a stage's Ref
 * is its name, which serverless gives both APIs (the stage of the deployment). */
const REST_API_ID = "ApiGatewayRestApi";
const WEBSOCKET_STAGE_ID = "WebsocketsDeploymentStage";
/** Seconds the processing function may run: the payment step (1 s by default) and posting. */
const PROCESSING_TIMEOUT_SECONDS = 30;
/** Where `npm run build` puts a function's bundle; the handler and package patterns point here. */
export const bundleDir = (name: string): string => `dist/functions/${name}`;

/**
 * The scope every access token of the user pool carries. A Cognito authorizer checks access
 * tokens (what the handlers verify too) only when the method names a scope; without one it
 * would want ID tokens instead.
 */
const ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin";

const upperFirst = (name: string): string => (name[0]?.toUpperCase() ?? "") + name.slice(1);
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
    [PROCESSING_DLQ_ID]: processingDeadLetterQueue(),
    ...gatewayResponses(),
    ...siteResources(),
  };
  const needsAuthorizer = specs.some((spec) => spec.routes.some((r) => r.auth === "required"));
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
  };
}

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
    ...(spec.trigger === "stream" ? { timeout: PROCESSING_TIMEOUT_SECONDS } : {}),
    // Each function's zip holds its own bundle and nothing else; source maps stay local.
    package: { patterns: [`${dir}/**`, `!${dir}/**/*.map`] },
    events: eventsOf(spec, preflightPaths),
  };
}

function eventsOf(
  spec: FunctionSpec,
  preflightPaths: string[],
): (HttpEvent | WebSocketRouteEvent | StreamEvent)[] {
  switch (spec.trigger) {
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
            // Only inserted orders in PLACED wake the function; processing is idempotent, so a
            // retried batch changes nothing twice.
            filterPatterns: [ORDER_STREAM_FILTER_PATTERN],
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
        .map(
          (route): HttpEvent => ({
            http: {
              method: route.method.toLowerCase(),
              path: route.resource,
              ...(route.auth === "required"
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

const arn = (service: string, resource: string): { "Fn::Sub": string } => ({
  "Fn::Sub": `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

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
  if (spec.storeActions.length > 0) {
    statements.push({
      Effect: "Allow",
      Action: spec.storeActions,
      Resource: [{ "Fn::GetAtt": [TABLE_ID, "Arn"] }, { "Fn::Sub": `\${${TABLE_ID}.Arn}/index/*` }],
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
      {
        // Posting order updates to the user's WebSocket connections, and nothing else.
        Effect: "Allow",
        Action: "execute-api:ManageConnections",
        Resource: arn("execute-api", `\${${WEBSOCKET_API_ID}}/*/POST/@connections/*`),
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

function processingDeadLetterQueue(): CfnResource {
  return {
    Type: "AWS::SQS::Queue",
    Properties: {
      // What the stream could not process after every retry: the record's shard and sequence
      // numbers, to look the order up and run processing for it again.
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    },
  };
}

function table(): CfnResource {
  return {
    Type: "AWS::DynamoDB::Table",
    // The store's data outlives a removed or replaced stack.
    DeletionPolicy: "Retain",
    UpdateReplacePolicy: "Retain",
    Properties: {
      ...TABLE_DEFINITION,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // New order items wake the processing function; expired WebSocket connections go away.
      // CloudFormation's shape: the view type alone (StreamEnabled is CreateTable's, not CFN's).
      StreamSpecification: { StreamViewType: STREAM_VIEW_TYPE },
      TimeToLiveSpecification: TIME_TO_LIVE_SPECIFICATION,
      SSESpecification: { SSEEnabled: true },
    },
  };
}

function userPool(): CfnResource {
  return {
    Type: "AWS::Cognito::UserPool",
    // Kept like the table: orders are keyed by the users' ids, which a new pool would not give.
    DeletionPolicy: "Retain",
    UpdateReplacePolicy: "Retain",
    Properties: {
      UserPoolName: { "Fn::Sub": `\${AWS::StackName}-users` },
      UsernameAttributes: ["email"],
      // Sign-up mails a code; the page's confirmation step sends it back (ConfirmSignUp).
      AutoVerifiedAttributes: ["email"],
      VerificationMessageTemplate: { DefaultEmailOption: "CONFIRM_WITH_CODE" },
      Schema: [{ Name: "name", AttributeDataType: "String", Mutable: true, Required: false }],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: false,
          RequireUppercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        },
      },
      AccountRecoverySetting: {
        RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }],
      },
    },
  };
}

function userPoolClient(): CfnResource {
  return {
    Type: "AWS::Cognito::UserPoolClient",
    Properties: {
      UserPoolId: { Ref: USER_POOL_ID },
      ClientName: { "Fn::Sub": `\${AWS::StackName}-web` },
      // A public client (the storefront): no secret; sign-in with email and password
      // (USER_PASSWORD_AUTH is what the page sends, locally and here; SRP for other clients),
      // refreshed with REFRESH_TOKEN_AUTH, answering access tokens the API verifies.
      GenerateSecret: false,
      ExplicitAuthFlows: [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
      // A sign-in with an unknown email answers like a wrong password: no account probing.
      PreventUserExistenceErrors: "ENABLED",
      // Said explicitly rather than left to Cognito's defaults: the page refreshes its access
      // token before the hour is up, and signs in again after 30 days.
      AccessTokenValidity: 1,
      IdTokenValidity: 1,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { AccessToken: "hours", IdToken: "hours", RefreshToken: "days" },
    },
  };
}

function authorizer(): CfnResource {
  return {
    Type: "AWS::ApiGateway::Authorizer",
    Properties: {
      Name: "cognito",
      Type: "COGNITO_USER_POOLS",
      RestApiId: { Ref: REST_API_ID },
      IdentitySource: "method.request.header.Authorization",
      ProviderARNs: [{ "Fn::GetAtt": [USER_POOL_ID, "Arn"] }],
    },
  };
}

/** The header of every gateway response naming the one origin allowed to read it. */
const GATEWAY_ALLOW_ORIGIN_HEADER = "gatewayresponse.header.Access-Control-Allow-Origin";

/**
 * API Gateway answers some requests itself (the authorizer's 401, a path no route has, its own
 * throttle, a Lambda failure); these give those answers the handlers' problem+json shape, and
 * the CORS headers a browser needs to read them (without, the page would see a network error
 * instead of the 401 that tells it to sign in). A gateway response cannot echo the request's
 * Origin conditionally, so it names ONE fixed origin: the storefront's CloudFront address, or
 * the first origin of the `corsOrigins` param when given (deploy/resources.cjs puts it in).
 */
function gatewayResponses(): Record<string, CfnResource> {
  const response = (
    type: string,
    code: ErrorCode,
    title: string,
    status?: number,
  ): CfnResource => ({
    Type: "AWS::ApiGateway::GatewayResponse",
    Properties: {
      RestApiId: { Ref: REST_API_ID },
      ResponseType: type,
      ...(status === undefined ? {} : { StatusCode: String(status) }),
      ResponseParameters: {
        "gatewayresponse.header.Content-Type": "'application/problem+json'",
        [GATEWAY_ALLOW_ORIGIN_HEADER]: { "Fn::Sub": `'${SITE_ORIGIN["Fn::Sub"]}'` },
        "gatewayresponse.header.Vary": "'Origin'",
      },
      ResponseTemplates: {
        "application/json": JSON.stringify({
          type: `urn:serverless-store:problem:${code.toLowerCase().replaceAll("_", "-")}`,
          title,
          ...(status === undefined ? {} : { status }),
          detail: "$context.error.message",
          code,
          requestId: "$context.requestId",
        }),
      },
    },
  });
  return {
    GatewayResponseUnauthorized: response(
      "UNAUTHORIZED",
      "UNAUTHENTICATED",
      "Authentication required",
      401,
    ),
    GatewayResponseAccessDenied: response("ACCESS_DENIED", "FORBIDDEN", "Forbidden", 403),
    // API Gateway's answer to a path no route has is a 403 "Missing Authentication Token".
    GatewayResponseMissingRoute: response(
      "MISSING_AUTHENTICATION_TOKEN",
      "NOT_FOUND",
      "Not found",
      404,
    ),
    GatewayResponseTooLarge: response(
      "REQUEST_TOO_LARGE",
      "PAYLOAD_TOO_LARGE",
      "Payload too large",
      413,
    ),
    GatewayResponseThrottled: response("THROTTLED", "TOO_MANY_REQUESTS", "Too many requests", 429),
    // Every other refusal of the gateway keeps its status. The stack has no API keys, WAF or
    // request validators, so what is left is a request it could not take (a body or media
    // type it refused).
    GatewayResponseDefault4XX: response("DEFAULT_4XX", "VALIDATION_FAILED", "Bad request"),
    // 502 and 504 keep their status: a failed or timed-out function, never its internals.
    GatewayResponseDefault5XX: response("DEFAULT_5XX", "INTERNAL", "Internal server error"),
  };
}
