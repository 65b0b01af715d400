import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { Clock, Logger, Notifier } from "../services/index.js";
import type { Store } from "../store/index.js";
import { createConnectionNotifier } from "./connection-notifier.js";

export interface ApiGatewayNotifierOptions {
  /** The WebSocket API's management endpoint: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`. */
  endpoint: string;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Defaults to the SDK's own resolution (`AWS_REGION` in Lambda). */
  region?: string;
  credentials?: ApiGatewayManagementApiClientConfig["credentials"];
}

const GONE_STATUS = 410;

/**
 * Posts each update to the user's connections through API Gateway's management API
 * (`POST /@connections/{id}`); a connection API Gateway answers 410 Gone for is deleted from the
 * store. Needs `execute-api:ManageConnections` on the WebSocket API.
 */
export function createApiGatewayNotifier(options: ApiGatewayNotifierOptions): Notifier {
  const client = new ApiGatewayManagementApiClient({
    endpoint: options.endpoint,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // A notification is not worth holding an order's processing for long.
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      throwOnRequestTimeout: true,
    },
  });
  return createConnectionNotifier({
    store: options.store,
    clock: options.clock,
    log: options.log,
    post: async (connectionId, data) => {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return "sent";
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (error instanceof GoneException || status === GONE_STATUS) return "gone";
        throw error;
      }
    },
  });
}
