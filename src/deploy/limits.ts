// The stack's own limits: how many requests a second its stages take, and, when asked for, how
// many one client may send. Each figure is a stack parameter whose default a deploy option
// (`--param="name=value"`) sets: deploy/descriptor.cjs reads the options, deploy/stages.cjs puts
// the throttling on the stages the framework compiles.
import { problemTypeOf, statusOf, titleOf } from "../http/index.js";
import {
  type CfnNumberParameter,
  type CfnResource,
  REST_API_ID,
  WEBSOCKET_STAGE_ID,
} from "./cloudformation.js";
import { SITE_ORIGIN } from "./site.js";

/** A stack parameter of a limit, and the deploy option that sets its default. */
export interface LimitParameter {
  /** `--param="<option>=<value>"`, to `npm run deploy` as to osls; not given: the default. */
  option: string;
  parameter: CfnNumberParameter;
}

/** A stage's token bucket: requests a second on average, and the burst above it. */
export interface StageThrottling {
  ThrottlingRateLimit: { Ref: string };
  ThrottlingBurstLimit: { Ref: string };
}

/** What the limits add to a stack; deploy/*.cjs choose from it with the deploy options. */
export interface StackLimits {
  /** The stages' limits, by parameter logical id: always in the stack. */
  stageParameters: Record<string, LimitParameter>;
  /** The per-client limit: its parameter and web ACL are in the stack only when its option is
   * given, the option's value being the parameter's default. */
  clientRateLimiting: {
    id: string;
    option: string;
    parameter: Omit<CfnNumberParameter, "Default">;
    resources: Record<string, CfnResource>;
  };
  /** What deploy/stages.cjs puts on the compiled stages. */
  stages: {
    rest: StageThrottling;
    websocket: StageThrottling;
    /** Resources naming the REST stage, which exists once the framework's Deployment does. */
    restStageDependents: string[];
  };
}

export const REST_RATE_LIMIT_ID = "RestRateLimit";
export const REST_BURST_LIMIT_ID = "RestBurstLimit";
export const WEBSOCKET_RATE_LIMIT_ID = "WebsocketRateLimit";
export const WEBSOCKET_BURST_LIMIT_ID = "WebsocketBurstLimit";
export const CLIENT_RATE_LIMIT_ID = "ClientRateLimit";
export const CLIENT_WEB_ACL_ID = "ClientRateLimitWebAcl";
export const CLIENT_WEB_ACL_ASSOCIATION_ID = "ClientRateLimitWebAclAssociation";

/**
 * The stages' defaults, sized for one shop in an account that may hold others. API Gateway
 * throttles all the APIs of an account in a Region together (REST, HTTP and WebSocket: 10,000
 * requests a second with a 5,000-request burst by default, 2,500 and 1,250 in the Regions opened
 * lately), so a stage's limit is the share of that one shop may take.
 *
 * REST, 1,000 a second with bursts of 2,000: a tenth of the account's rate, room for a sale at
 * many times an ordinary day's traffic, while a flood on this shop (or its own success) leaves
 * nine tenths to the account's other APIs, another stage of the shop among them. The burst is
 * two seconds of that rate at once, a sale's opening minute, within the account's bucket.
 *
 * WebSocket, 250 a second with bursts of 500 (two seconds, as for REST): the socket only follows orders (a page opens one
 * to watch an order it placed), so its traffic is a fraction of the checkouts, a fraction of the
 * REST requests; and every new connection also counts against the account's own quota of new
 * WebSocket connections (500 a second), of which this leaves half to other WebSocket APIs.
 */
export const STAGE_LIMITS = {
  rest: { rateLimit: 1_000, burstLimit: 2_000 },
  websocket: { rateLimit: 250, burstLimit: 500 },
} as const;

/**
 * The per-client limit AWS WAF counts: requests from one IP address within a rolling window of
 * 5 minutes (its default window; 60, 120 and 600 seconds are the others). WAF takes no limit
 * under 10 nor above 2,000,000,000.
 */
export const CLIENT_RATE_WINDOW_SECONDS = 300;
const WAF_MIN_LIMIT = 10;
const WAF_MAX_LIMIT = 2_000_000_000;

const numberParameter = (Default: number, Description: string): CfnNumberParameter => ({
  Type: "Number",
  Default,
  MinValue: 1,
  Description,
});

/**
 * The limits of a stack, the same in every architecture. `uncountedPaths` are the REST resources
 * the per-client rule does not count (webhooks: the provider calls from a few addresses, and
 * retries); the stages' throttling still applies to them.
 */
export function stackLimits(uncountedPaths: readonly string[] = []): StackLimits {
  const { rest, websocket } = STAGE_LIMITS;
  return {
    stageParameters: {
      [REST_RATE_LIMIT_ID]: {
        option: "restRateLimit",
        parameter: numberParameter(
          rest.rateLimit,
          "Requests a second every method of the REST stage takes on average (429 above)",
        ),
      },
      [REST_BURST_LIMIT_ID]: {
        option: "restBurstLimit",
        parameter: numberParameter(rest.burstLimit, "Burst above that rate the REST stage takes"),
      },
      [WEBSOCKET_RATE_LIMIT_ID]: {
        option: "websocketRateLimit",
        parameter: numberParameter(
          websocket.rateLimit,
          "Requests a second every route of the WebSocket stage takes on average",
        ),
      },
      [WEBSOCKET_BURST_LIMIT_ID]: {
        option: "websocketBurstLimit",
        parameter: numberParameter(
          websocket.burstLimit,
          "Burst above that rate the WebSocket stage takes",
        ),
      },
    },
    clientRateLimiting: {
      id: CLIENT_RATE_LIMIT_ID,
      option: "clientRateLimit",
      parameter: {
        Type: "Number",
        MinValue: WAF_MIN_LIMIT,
        MaxValue: WAF_MAX_LIMIT,
        Description: `Requests one IP address may send the REST API in ${CLIENT_RATE_WINDOW_SECONDS / 60} minutes before AWS WAF answers 429`,
      },
      resources: {
        [CLIENT_WEB_ACL_ID]: clientWebAcl(uncountedPaths),
        [CLIENT_WEB_ACL_ASSOCIATION_ID]: clientWebAclAssociation(),
      },
    },
    stages: {
      rest: {
        ThrottlingRateLimit: { Ref: REST_RATE_LIMIT_ID },
        ThrottlingBurstLimit: { Ref: REST_BURST_LIMIT_ID },
      },
      websocket: {
        ThrottlingRateLimit: { Ref: WEBSOCKET_RATE_LIMIT_ID },
        ThrottlingBurstLimit: { Ref: WEBSOCKET_BURST_LIMIT_ID },
      },
      restStageDependents: [CLIENT_WEB_ACL_ASSOCIATION_ID],
    },
  };
}

const RATE_RULE = "requests-per-client";
const TOO_MANY_REQUESTS_BODY = "too-many-requests";

/**
 * One rate-based rule: past the limit, an address's requests are refused until its count over
 * the window falls back under it; everything else passes (WAF is not the shop's firewall here,
 * only its per-client meter). The refusal is a 429 problem document with the CORS headers the
 * gateway's own refusals carry, so the page reads it; WAF lets a body be JSON, not
 * problem+json, and sets the Content-Type itself.
 */
function clientWebAcl(uncountedPaths: readonly string[]): CfnResource {
  const code = "TOO_MANY_REQUESTS";
  const uncounted = uncountedPaths.map(pathEndsWith);
  const [only] = uncounted;
  return {
    Type: "AWS::WAFv2::WebACL",
    Properties: {
      Scope: "REGIONAL",
      Description: "serverless-store: requests per client address to the REST API",
      DefaultAction: { Allow: {} },
      CustomResponseBodies: {
        [TOO_MANY_REQUESTS_BODY]: {
          ContentType: "APPLICATION_JSON",
          Content: JSON.stringify({
            type: problemTypeOf(code),
            title: titleOf(code),
            status: statusOf(code),
            detail: "too many requests from this address; try again in a few minutes",
            code,
          }),
        },
      },
      Rules: [
        {
          Name: RATE_RULE,
          Priority: 0,
          Statement: {
            RateBasedStatement: {
              Limit: { Ref: CLIENT_RATE_LIMIT_ID },
              AggregateKeyType: "IP",
              EvaluationWindowSec: CLIENT_RATE_WINDOW_SECONDS,
              // Counts, and so refuses, only requests to the other paths.
              ...(only === undefined
                ? {}
                : {
                    ScopeDownStatement: {
                      NotStatement: {
                        Statement:
                          uncounted.length === 1
                            ? only
                            : { OrStatement: { Statements: uncounted } },
                      },
                    },
                  }),
            },
          },
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: statusOf(code),
                CustomResponseBodyKey: TOO_MANY_REQUESTS_BODY,
                ResponseHeaders: [
                  { Name: "Access-Control-Allow-Origin", Value: SITE_ORIGIN },
                  { Name: "Vary", Value: "Origin" },
                  { Name: "Cache-Control", Value: "no-store" },
                  { Name: "X-Content-Type-Options", Value: "nosniff" },
                ],
              },
            },
          },
          VisibilityConfig: visibility(RATE_RULE),
        },
      ],
      VisibilityConfig: visibility("rest-api-clients"),
    },
  };
}

/**
 * A request whose path ends with `path` (a resource without `{...}` parameters). "Ends with"
 * because the path WAF sees in front of a REST stage may carry the stage's name before it; a
 * longer path ending the same way is no route of the API, and the gateway answers it alone.
 */
function pathEndsWith(path: string): object {
  if (path.includes("{")) {
    throw new Error(`${path}: a path the per-client limit leaves out may have no parameters`);
  }
  return {
    ByteMatchStatement: {
      SearchString: path,
      FieldToMatch: { UriPath: {} },
      TextTransformations: [{ Priority: 0, Type: "NONE" }],
      PositionalConstraint: "ENDS_WITH",
    },
  };
}

/** Counted in CloudWatch (AWS/WAFV2, BlockedRequests by rule) with sampled requests to look at. */
const visibility = (metricName: string) => ({
  SampledRequestsEnabled: true,
  CloudWatchMetricsEnabled: true,
  MetricName: metricName,
});

/**
 * The web ACL in front of the REST stage. A stage's ARN names it by the API's id and the stage's
 * name, the deployment's stage as for the WebSocket API (whose stage's Ref is that name). WAF
 * cannot be put in front of a WebSocket API: its stage keeps its route throttling only.
 */
function clientWebAclAssociation(): CfnResource {
  return {
    Type: "AWS::WAFv2::WebACLAssociation",
    Properties: {
      ResourceArn: {
        "Fn::Sub": `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${${REST_API_ID}}/stages/\${${WEBSOCKET_STAGE_ID}}`,
      },
      WebACLArn: { "Fn::GetAtt": [CLIENT_WEB_ACL_ID, "Arn"] },
    },
  };
}
