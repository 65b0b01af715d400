// What the deployment's CloudFormation pieces share: the resource shape, the logical ids that
// reference each other across files, and ARNs in the stack's own partition, region and account.

/** A CloudFormation resource, as `resources.Resources` of serverless.yml holds it. */
export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** A numeric stack parameter, as `resources.Parameters` of serverless.yml holds it. */
export interface CfnNumberParameter {
  Type: "Number";
  Default: number;
  MinValue: number;
  MaxValue?: number;
  Description: string;
}

/** A text stack parameter, as `resources.Parameters` of serverless.yml holds it. */
export interface CfnStringParameter {
  Type: "String";
  Default: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  Description: string;
}

/** The stack parameter naming the payment provider, and the condition that it is Stripe. */
export const PAYMENT_PROVIDER_ID = "PaymentProvider";
export const STRIPE_PAYMENTS = "StripePayments";

export const TABLE_ID = "StoreTable";
export const USER_POOL_ID = "UserPool";
export const USER_POOL_CLIENT_ID = "UserPoolClient";
export const AUTHORIZER_ID = "CognitoAuthorizer";
export const ADMIN_GROUP_ID = "AdminGroup";
/** Stream records that failed every retry land here instead of vanishing with an order. */
export const PROCESSING_DLQ_ID = "OrderProcessingDeadLetterQueue";
/** Goes off when a record lands in the dead-letter queue; tells the alerts topic. */
export const PROCESSING_DLQ_ALARM_ID = "OrderProcessingDeadLetterAlarm";
export const SWEEPER_ERRORS_ALARM_ID = "SweepOrdersErrorsAlarm";
/** Where the stack's alarms go: subscribe an email or a pager to it. */
export const ALERTS_TOPIC_ID = "OperatorAlertsTopic";
/** The logical id serverless gives the WebSocket API. */
export const WEBSOCKET_API_ID = "WebsocketsApi";
/** The logical ids serverless gives the REST API and the WebSocket API's stage; a stage's Ref
 * is its name, which serverless gives both APIs (the stage of the deployment). */
export const REST_API_ID = "ApiGatewayRestApi";
export const WEBSOCKET_STAGE_ID = "WebsocketsDeploymentStage";
/** A function's name as the start of a logical id: `sweepOrders` -> `SweepOrders`. */
export const upperFirst = (name: string): string => (name[0]?.toUpperCase() ?? "") + name.slice(1);
/** The logical id the Framework gives a function; its Ref is the function's name. */
export const lambdaFunctionId = (name: string): string => `${upperFirst(name)}LambdaFunction`;
export const arn = (service: string, resource: string): { "Fn::Sub": string } => ({
  "Fn::Sub": `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});
