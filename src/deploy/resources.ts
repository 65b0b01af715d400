// The stack's resources beside the functions: the table, the user pool and its client, the
// authorizer, the processing dead-letter queue and the gateway's own answers.
import { ADMIN_GROUP } from "../domain/index.js";
import { type ProblemCode, problemTypeOf, statusOf, titleOf } from "../http/index.js";
import {
  STREAM_VIEW_TYPE,
  TABLE_DEFINITION,
  TIME_TO_LIVE_SPECIFICATION,
} from "../store/dynamodb/table.js";
import { type CfnResource, REST_API_ID, USER_POOL_ID } from "./cloudformation.js";
import { SITE_ORIGIN } from "./site.js";

export function processingDeadLetterQueue(): CfnResource {
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

export function table(): CfnResource {
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

export function userPool(): CfnResource {
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
      // A changed address counts once its code is confirmed; until then the verified one stays,
      // so the order e-mails (sent to the pool's verified address) never go to none.
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ["email"] },
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

export function userPoolClient(): CfnResource {
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

/**
 * The operators' group: a user added to it (console, or `aws cognito-idp admin-add-user-to-group
 * --group-name admin`) gets `cognito:groups: ["admin"]` in their access tokens, which the admin
 * routes require.
 */
export function adminGroup(): CfnResource {
  return {
    Type: "AWS::Cognito::UserPoolGroup",
    Properties: {
      UserPoolId: { Ref: USER_POOL_ID },
      GroupName: ADMIN_GROUP,
      Description: "The shop's operators: the admin API and pages",
      Precedence: 0,
    },
  };
}

export function authorizer(): CfnResource {
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
export function gatewayResponses(): Record<string, CfnResource> {
  /** `withStatus`: the response's own status; without, the gateway's refusal keeps its own. */
  const response = (
    type: string,
    code: ProblemCode,
    withStatus: boolean,
    title = titleOf(code),
  ): CfnResource => {
    const status = withStatus ? statusOf(code) : undefined;
    return {
      Type: "AWS::ApiGateway::GatewayResponse",
      Properties: {
        RestApiId: { Ref: REST_API_ID },
        ResponseType: type,
        ...(status === undefined ? {} : { StatusCode: String(status) }),
        ResponseParameters: {
          "gatewayresponse.header.Content-Type": "'application/problem+json'",
          [GATEWAY_ALLOW_ORIGIN_HEADER]: { "Fn::Sub": `'${SITE_ORIGIN["Fn::Sub"]}'` },
          "gatewayresponse.header.Vary": "'Origin'",
          // As the handlers' answers: never sniffed, never kept by a cache (a refusal).
          "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
          "gatewayresponse.header.Cache-Control": "'no-store'",
        },
        ResponseTemplates: {
          "application/json": JSON.stringify({
            type: problemTypeOf(code),
            title,
            ...(status === undefined ? {} : { status }),
            detail: "$context.error.message",
            code,
            requestId: "$context.requestId",
          }),
        },
      },
    };
  };
  return {
    GatewayResponseUnauthorized: response("UNAUTHORIZED", "UNAUTHENTICATED", true),
    GatewayResponseAccessDenied: response("ACCESS_DENIED", "FORBIDDEN", true),
    // API Gateway's answer to a path no route has is a 403 "Missing Authentication Token".
    GatewayResponseMissingRoute: response("MISSING_AUTHENTICATION_TOKEN", "NOT_FOUND", true),
    GatewayResponseTooLarge: response("REQUEST_TOO_LARGE", "PAYLOAD_TOO_LARGE", true),
    GatewayResponseThrottled: response("THROTTLED", "TOO_MANY_REQUESTS", true),
    // Every other refusal of the gateway keeps its status. The stack has no API keys, WAF or
    // request validators, so what is left is a request it could not take (a body or media
    // type it refused): any 4xx, hence a title that names no one status.
    GatewayResponseDefault4XX: response("DEFAULT_4XX", "VALIDATION_FAILED", false, "Bad request"),
    // 502 and 504 keep their status: a failed or timed-out function, never its internals.
    GatewayResponseDefault5XX: response("DEFAULT_5XX", "INTERNAL", false),
  };
}
