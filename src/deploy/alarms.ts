// The alarms on the stack hitting a limit or failing: DynamoDB throttling of the table and of
// each of its global secondary indexes, Lambda throttles and function errors, and the APIs'
// server errors. Like the alarms on orders left in flight (recovery.ts), they tell the alerts
// topic when they go off and when they clear.
import { TABLE_DEFINITION } from "../store/dynamodb/table.js";
import type { FunctionSpec } from "./architectures.js";
import {
  ALERTS_TOPIC_ID,
  type CfnResource,
  lambdaFunctionId,
  SWEEPER_ERRORS_ALARM_ID,
  TABLE_ID,
  upperFirst,
  WEBSOCKET_API_ID,
  WEBSOCKET_STAGE_ID,
} from "./cloudformation.js";
import { SERVICE } from "./deploy-options.js";

const PERIOD_SECONDS = 300;

export const TABLE_THROTTLE_ALARM_ID = `${TABLE_ID}ThrottleAlarm`;
export const LAMBDA_THROTTLES_ALARM_ID = "LambdaThrottlesAlarm";
export const REST_API_SERVER_ERRORS_ALARM_ID = "RestApiServerErrorsAlarm";
export const WEBSOCKET_EXECUTION_ERRORS_ALARM_ID = "WebsocketExecutionErrorsAlarm";

/** `GSI1` -> `StoreTableGSI1ThrottleAlarm`: a logical id takes letters and digits only. */
export const indexThrottleAlarmId = (indexName: string): string =>
  `${TABLE_ID}${indexName.replace(/[^A-Za-z0-9]/g, "")}ThrottleAlarm`;

/** `api` -> `ApiErrorsAlarm`: the sweeper's own alarm already has its function's id. */
export const functionErrorsAlarmId = (name: string): string => `${upperFirst(name)}ErrorsAlarm`;

/**
 * An alarm that goes off for one period of `metric` above `threshold` and tells the alerts topic
 * when it goes off and when it clears. Missing data is not breaching: DynamoDB, Lambda, API
 * Gateway and the shop's own metrics publish most of these only when they count something.
 */
export function alarm(
  description: string,
  metric: Record<string, unknown>,
  threshold = 0,
): CfnResource {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmDescription: description,
      ...metric,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [{ Ref: ALERTS_TOPIC_ID }],
      OKActions: [{ Ref: ALERTS_TOPIC_ID }],
    },
  };
}

/**
 * Read and write throttle events of the table, or of one global secondary index (CloudWatch
 * counts an index's under its own `GlobalSecondaryIndexName` dimension, never in the table's;
 * the local index shares the table's throughput and its count). On demand, a throttle means a
 * partition hotter than DynamoDB serves (a key every request needs), traffic more than double
 * its previous peak, or the account's table quota: each is a request a shopper waited on.
 */
function throttleAlarm(indexName?: string): CfnResource {
  const dimensions = [
    { Name: "TableName", Value: { Ref: TABLE_ID } },
    ...(indexName === undefined ? [] : [{ Name: "GlobalSecondaryIndexName", Value: indexName }]),
  ];
  const events = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/DynamoDB", MetricName: metricName, Dimensions: dimensions },
      Period: PERIOD_SECONDS,
      Stat: "Sum",
    },
    ReturnData: false,
  });
  const what = indexName === undefined ? "The store's table" : `The table's index ${indexName}`;
  return alarm(
    `${what} throttled reads or writes: look for a hot key or a traffic jump in its metrics`,
    {
      Metrics: [
        events("reads", "ReadThrottleEvents"),
        events("writes", "WriteThrottleEvents"),
        {
          Id: "throttled",
          Expression: "SUM([reads, writes])",
          Label: "Throttle events",
          ReturnData: true,
        },
      ],
    },
  );
}

/**
 * Lambda throttles on the account's concurrency, shared by every function of the account in the
 * Region (none of these reserves any): a throttle is that pool running dry, whichever function
 * it refused, so the account-wide metric is the one that says it, in one alarm whatever the
 * architecture's number of functions.
 */
function lambdaThrottlesAlarm(): CfnResource {
  return alarm(
    "Lambda refused invocations: the account's concurrency in this Region ran out (API requests were answered 429 or 5XX); see ConcurrentExecutions and ask for a higher quota",
    { Namespace: "AWS/Lambda", MetricName: "Throttles", Statistic: "Sum", Period: PERIOD_SECONDS },
  );
}

/**
 * Errors of one function: what its code did not handle (a crash, a timeout, running out of
 * memory). Per function, not account-wide: another application's failures are not this shop's,
 * and the alarm names the function whose logs to read.
 */
function functionErrorsAlarm(spec: FunctionSpec): CfnResource {
  return alarm(
    `The function ${spec.name} failed (an unhandled error, a timeout or out of memory): read its logs`,
    {
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: lambdaFunctionId(spec.name) } }],
      Statistic: "Sum",
      Period: PERIOD_SECONDS,
    },
  );
}

/**
 * The REST stage's 5XX answers, as a share of its requests (5XXError's Average): above one in a
 * hundred for five minutes, shoppers are failing (a function's crash alarms on its own, below
 * that share too). CloudWatch names a REST stage's metrics by the API's name, which the Framework gives
 * as `<stage>-<service>` (serverless.yml sets no apiName); the stage's name is the WebSocket
 * stage's Ref.
 */
function restApiServerErrorsAlarm(): CfnResource {
  return alarm(
    "More than 1% of the REST API's requests answered 5XX over five minutes: see the functions' errors and logs",
    {
      Namespace: "AWS/ApiGateway",
      MetricName: "5XXError",
      Dimensions: [
        { Name: "ApiName", Value: { "Fn::Sub": `\${${WEBSOCKET_STAGE_ID}}-${SERVICE}` } },
        { Name: "Stage", Value: { Ref: WEBSOCKET_STAGE_ID } },
      ],
      Statistic: "Average",
      Period: PERIOD_SECONDS,
    },
    0.01,
  );
}

/**
 * The WebSocket API has no 5XX metric: ExecutionError counts its failures to call the
 * function, IntegrationError also counts the 401 `$connect` answers to a bad token, so not that.
 */
function websocketExecutionErrorsAlarm(): CfnResource {
  return alarm("The WebSocket API could not call its function: see the notifications function", {
    Namespace: "AWS/ApiGateway",
    MetricName: "ExecutionError",
    Dimensions: [
      { Name: "ApiId", Value: { Ref: WEBSOCKET_API_ID } },
      { Name: "Stage", Value: { Ref: WEBSOCKET_STAGE_ID } },
    ],
    Statistic: "Sum",
    Period: PERIOD_SECONDS,
  });
}

/**
 * The alarms of an architecture, by logical id: one per index of the table's definition, one per
 * function but the sweeper (whose alarm, in recovery.ts, waits for two failed runs).
 */
export function alarmResources(specs: readonly FunctionSpec[]): Record<string, CfnResource> {
  const resources: Record<string, CfnResource> = {
    [TABLE_THROTTLE_ALARM_ID]: throttleAlarm(),
    [LAMBDA_THROTTLES_ALARM_ID]: lambdaThrottlesAlarm(),
    [REST_API_SERVER_ERRORS_ALARM_ID]: restApiServerErrorsAlarm(),
    [WEBSOCKET_EXECUTION_ERRORS_ALARM_ID]: websocketExecutionErrorsAlarm(),
  };
  for (const index of TABLE_DEFINITION.GlobalSecondaryIndexes ?? []) {
    if (index.IndexName === undefined) continue;
    resources[indexThrottleAlarmId(index.IndexName)] = throttleAlarm(index.IndexName);
  }
  for (const spec of specs) {
    const id = functionErrorsAlarmId(spec.name);
    if (id !== SWEEPER_ERRORS_ALARM_ID) resources[id] = functionErrorsAlarm(spec);
  }
  return resources;
}
