// What keeps an order from staying in flight in AWS, beside the stream's own retries: the
// sweeper's schedule and time, the payment ledger's one write, and the alarms on the DLQ and on
// the sweeper itself.
import { alarm } from "./alarms.js";
import {
  ALERTS_TOPIC_ID,
  type CfnResource,
  lambdaFunctionId,
  PROCESSING_DLQ_ALARM_ID,
  PROCESSING_DLQ_ID,
  SWEEPER_ERRORS_ALARM_ID,
  TABLE_ID,
} from "./cloudformation.js";

/** How often the sweeper looks for stuck orders (functions/sweep-orders.ts says when one is). */
export const SWEEP_SCHEDULE = "rate(5 minutes)";
/** Seconds one sweep may run: a bounded batch of orders, each with its payment step. */
export const SWEEP_TIMEOUT_SECONDS = 120;

/**
 * The one PutItem the processing needs: the payment record of an order (PAYMENT#orderId), in
 * its own partition; every other item it only updates. The key condition keeps the put there.
 */
export function paymentLedgerWrite(): object {
  return {
    Effect: "Allow",
    Action: "dynamodb:PutItem",
    Resource: { "Fn::GetAtt": [TABLE_ID, "Arn"] },
    Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["PAYMENT#*"] } },
  };
}

export function alertsTopic(): CfnResource {
  return {
    Type: "AWS::SNS::Topic",
    Properties: {
      DisplayName: { "Fn::Sub": `\${AWS::StackName} alerts` },
      KmsMasterKeyId: "alias/aws/sns",
    },
  };
}

/**
 * A record in the DLQ is an order the stream gave up on: the sweeper re-drives the order
 * itself, but someone should know why the stream could not (the message names the shard and
 * the sequence numbers of the batch).
 */
export function deadLetterAlarm(): CfnResource {
  return alarm(
    "Order stream records failed every retry and went to the dead-letter queue; the sweeper re-drives their orders, read the messages to find why",
    {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::GetAtt": [PROCESSING_DLQ_ID, "QueueName"] } },
      ],
      Statistic: "Maximum",
      Period: 300,
    },
  );
}

/**
 * The sweeper is the last line: a sweep that fails (the table unreachable, its role refused, a
 * bug) leaves stuck orders stuck, and nothing else would say so. Two failed runs in a row (ten
 * minutes) alarm; one may be an outage the next run outlives.
 */
export function sweeperErrorsAlarm(): CfnResource {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmDescription:
        "The sweeper of stuck orders failed twice in a row: orders left in flight stay there until it runs again; read its logs",
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: lambdaFunctionId("sweepOrders") } }],
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [{ Ref: ALERTS_TOPIC_ID }],
      OKActions: [{ Ref: ALERTS_TOPIC_ID }],
    },
  };
}

/** The alarms and their topic, by logical id, for the stack's resources. */
export function recoveryResources(): Record<string, CfnResource> {
  return {
    [ALERTS_TOPIC_ID]: alertsTopic(),
    [PROCESSING_DLQ_ALARM_ID]: deadLetterAlarm(),
    [SWEEPER_ERRORS_ALARM_ID]: sweeperErrorsAlarm(),
  };
}
