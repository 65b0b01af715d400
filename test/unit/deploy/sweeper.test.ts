import { describe, expect, it } from "vitest";
import { ARCHITECTURES, describeArchitecture } from "../../../src/deploy/index.js";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const statementsOf = (resource: unknown): Statement[] =>
  (
    (resource as { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } })
      .Properties.Policies[0]?.PolicyDocument.Statement ?? []
  ).map((statement) => statement);

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

// The sweeper of the orders left in flight: in every architecture, on a schedule, with a role
// of its own that runs the processing and nothing else; and an alarm on the stream's DLQ.
describe.each(ARCHITECTURES)("the %s descriptor's sweeper", (architecture) => {
  const descriptor = describeArchitecture(architecture);

  it("runs on a schedule, with time for a batch of orders", () => {
    const sweeper = descriptor.functions.sweepOrders;
    expect(sweeper?.handler).toBe("dist/functions/sweepOrders/index.handler");
    expect(sweeper?.events).toEqual([{ schedule: { rate: ["rate(5 minutes)"], enabled: true } }]);
    expect(sweeper?.timeout).toBeGreaterThanOrEqual(60);
    expect(sweeper?.role).toBe("SweepOrdersRole");
  });

  it("has a least-privilege role: the processing's reads and writes, puts only in PAYMENT#", () => {
    const statements = statementsOf(descriptor.resources.SweepOrdersRole);
    const allowed = statements.filter((s) => s.Effect === "Allow").flatMap(actionsOf);
    expect(allowed.sort()).toEqual(
      [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "execute-api:ManageConnections",
        // The due e-mails: sending (mail.ts scopes each to its one resource), the order links' key.
        "cognito-idp:AdminGetUser",
        "ses:SendEmail",
        "ssm:GetParameters",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ].sort(),
    );
    const put = statements.find((s) => actionsOf(s).includes("dynamodb:PutItem"));
    expect(put?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["PAYMENT#*"] },
    });
    // Promotions and the stock trail stay the operators' to write.
    expect(statements.some((s) => s.Effect === "Deny")).toBe(true);
    // The processing function records payments the same way, and only that way.
    const processing = statementsOf(descriptor.resources.ProcessOrdersRole);
    const puts = processing.filter((s) => actionsOf(s).includes("dynamodb:PutItem"));
    expect(puts.map((s) => s.Condition)).toEqual([put?.Condition]);
  });

  it("alarms on the order stream's dead-letter queue, to a topic operators subscribe to", () => {
    const alarm = descriptor.resources.OrderProcessingDeadLetterAlarm;
    expect(alarm?.Type).toBe("AWS::CloudWatch::Alarm");
    expect(alarm?.Properties).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        {
          Name: "QueueName",
          Value: { "Fn::GetAtt": ["OrderProcessingDeadLetterQueue", "QueueName"] },
        },
      ],
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: "OperatorAlertsTopic" }],
    });
    expect(descriptor.resources.OperatorAlertsTopic?.Type).toBe("AWS::SNS::Topic");
  });

  it("alarms when the sweeper itself fails twice in a row", () => {
    expect(descriptor.resources.SweepOrdersErrorsAlarm?.Properties).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: "SweepOrdersLambdaFunction" } }],
      EvaluationPeriods: 2,
      AlarmActions: [{ Ref: "OperatorAlertsTopic" }],
    });
  });
});
