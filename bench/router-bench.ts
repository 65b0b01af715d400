import type { APIGatewayProxyEvent } from "aws-lambda";
import { compose, loadConfig } from "../src/compose/index.js";
import type { ApiHandler } from "../src/http/index.js";
import type { Services } from "../src/services/index.js";
import { buildProductEvent } from "./api-gateway-event.js";
import { type Comparison, compareInterleaved, opsPerSecond } from "./measure.js";

export interface RouterBenchOptions {
  productId: string;
  rounds: number;
  roundMs: number;
  warmupMs: number;
}

/**
 * The composed router against a bare `switch` that does the same work (the same service call,
 * the same JSON.stringify), both invoked in this process with the same event.
 */
export async function benchRouter(options: RouterBenchOptions): Promise<Comparison> {
  const app = await compose(loadConfig({ STORE: "memory", LOG_REQUESTS: "false" }));
  try {
    const event = buildProductEvent(options.productId);
    const handlers = { subject: app.handler, baseline: createSwitchHandler(app.services) };
    await expectSameAnswer(handlers.subject, handlers.baseline, event);

    for (const handler of [handlers.subject, handlers.baseline]) {
      await opsPerSecond(() => handler(event), options.warmupMs);
    }
    return await compareInterleaved(options.rounds, (which) =>
      opsPerSecond(() => handlers[which](event), options.roundMs),
    );
  } finally {
    await app.close();
  }
}

/** What a hand-written Lambda without a router would do for the one route benchmarked. */
function createSwitchHandler(services: Services): ApiHandler {
  return async (event) => {
    switch (`${event.httpMethod} ${event.resource}`) {
      case "GET /products/{id}": {
        const id = event.pathParameters?.id ?? "";
        const product = await services.catalog.getProduct(id, undefined);
        return {
          statusCode: 200,
          headers: { "Content-Type": "application/json; charset=utf-8" },
          body: JSON.stringify(product),
        };
      }
      default:
        return { statusCode: 404, headers: {}, body: "" };
    }
  };
}

/** A benchmark of a 404 would prove nothing: both must answer 200 with the same body. */
async function expectSameAnswer(
  subject: ApiHandler,
  baseline: ApiHandler,
  event: APIGatewayProxyEvent,
): Promise<void> {
  const [got, want] = await Promise.all([subject(event), baseline(event)]);
  if (got.statusCode !== 200 || want.statusCode !== 200 || got.body !== want.body) {
    throw new Error(
      `router and switch disagree on ${event.path}: ${got.statusCode} ${got.body.slice(0, 200)} vs ${want.statusCode}`,
    );
  }
}
