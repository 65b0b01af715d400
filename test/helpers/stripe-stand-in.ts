import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Stripe from "stripe";

// A local stand-in for the part of Stripe's API the payment adapter calls, answering in the shapes
// of Stripe's API reference: form-encoded requests as the official library sends them, JSON
// objects (`payment_intent`, `refund`, `event`) and `{ error: { type, message, code } }` refusals
// with Stripe's statuses. Idempotency keys are honoured as Stripe does: the same key and
// parameters replay the first answer, the same key with other parameters is refused.

export type IntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface StandInIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { enabled: boolean } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: "automatic_async";
  client_secret: string;
  confirmation_method: "automatic";
  created: number;
  currency: string;
  description: null;
  last_payment_error: { type: string; code: string; decline_code: string; message: string } | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: null;
  payment_method: null;
  payment_method_types: string[];
  status: IntentStatus;
}

export interface StandInRefund {
  id: string;
  object: "refund";
  amount: number;
  charge: string | null;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: null;
  status: "succeeded";
}

export interface StandInEvent {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: StandInIntent };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
}

export type StandInEndpoint =
  | "POST /v1/payment_intents"
  | "GET /v1/payment_intents/:id"
  | "POST /v1/payment_intents/:id/cancel"
  | "POST /v1/refunds";

type Form = { [key: string]: string | Form };

/** One request as received: which endpoint, its idempotency key and its decoded form. */
export interface StandInRequest {
  endpoint: StandInEndpoint | "unknown";
  idempotencyKey: string | undefined;
  form: Form;
}

export interface StripeStandIn {
  /** `http://127.0.0.1:<port>`: the adapter's `apiUrl`. */
  url: string;
  close(): Promise<void>;
  intents(): StandInIntent[];
  refunds(): StandInRefund[];
  requests(): StandInRequest[];
  /** How many requests reached `endpoint`, failed and hung ones included. */
  calls(endpoint: StandInEndpoint): number;
  /** The customer paid: `amount` (default the intent's) is taken. Answers Stripe's event. */
  succeed(intentId: string, options?: { amount?: number }): StandInEvent;
  /** The customer's card was declined with `message`. Answers Stripe's event. */
  fail(intentId: string, message: string): StandInEvent;
  /** Puts an intent in `status` (a `canceled` one as Stripe cancels an abandoned intent). */
  setStatus(intentId: string, status: IntentStatus): void;
  /** An event of any `type` over the intent as it stands. */
  event(intentId: string, type: string): StandInEvent;
  /**
   * An intent made as the API makes one (`currency` default `usd`), as another process or
   * integration on the account would: answers its id.
   */
  createIntent(params: {
    amount: number;
    currency?: string;
    metadata?: Record<string, string>;
  }): string;
  /**
   * The next request is answered `status` with `body` (default: Stripe's error for the status).
   * Stripe-Should-Retry says `false`, as Stripe's API says of an error a retry would only
   * replay, so the library does not retry it; `shouldRetry: true` lets it (a transient fault).
   * The fault stands in front of the API: it is never saved under the idempotency key.
   */
  failNext(status: number, body?: unknown, options?: { shouldRetry?: boolean }): void;
  /**
   * Runs `change` when the next request to `endpoint` arrives, before it is answered: a change
   * racing the caller's (the customer paying between two of its calls).
   */
  beforeNext(endpoint: StandInEndpoint, change: () => void): void;
  /** The next request is never answered (until `close`). */
  hangNext(): void;
  /** Forgets every idempotency key, as Stripe does after 24 hours. */
  expireIdempotencyKeys(): void;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const CANCELLABLE: readonly IntentStatus[] = [
  "requires_payment_method",
  "requires_capture",
  "requires_confirmation",
  "requires_action",
];

const idOf = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const epochSeconds = () => Math.floor(Date.now() / 1000);

const refusal = (status: number, error: Record<string, unknown>): Answer => ({
  status,
  body: { error: { type: "invalid_request_error", ...error } },
});

const missingParam = (param: string) =>
  refusal(400, { code: "parameter_missing", message: `Missing required param: ${param}.`, param });

const noSuch = (object: string, id: string, param: string) =>
  refusal(404, { code: "resource_missing", message: `No such ${object}: '${id}'`, param });

/** `a[b][c]=v` pairs as nested objects, the way Stripe reads the library's form bodies. */
function parseForm(body: string): Form {
  const form: Form = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/[[\]]+/).filter((part) => part !== "");
    let node = form;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      const child: Form = typeof next === "object" ? next : {};
      node[part] = child;
      node = child;
    }
    const last = path[path.length - 1];
    if (last !== undefined) node[last] = value;
  }
  return form;
}

const textOf = (form: Form, key: string): string | undefined => {
  const value = form[key];
  return typeof value === "string" ? value : undefined;
};

const stringsOf = (form: Form, key: string): Record<string, string> => {
  const value = form[key];
  if (typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([name, text]) =>
      typeof text === "string" ? [[name, text]] : [],
    ),
  );
};

const endpointOf = (method: string, path: string): StandInEndpoint | "unknown" => {
  if (method === "POST" && path === "/v1/payment_intents") return "POST /v1/payment_intents";
  if (method === "POST" && path === "/v1/refunds") return "POST /v1/refunds";
  if (method === "GET" && /^\/v1\/payment_intents\/[^/]+$/.test(path))
    return "GET /v1/payment_intents/:id";
  if (method === "POST" && /^\/v1\/payment_intents\/[^/]+\/cancel$/.test(path))
    return "POST /v1/payment_intents/:id/cancel";
  return "unknown";
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
};

const DEFAULT_FAULTS: Record<number, { type: string; message: string }> = {
  401: { type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****" },
  402: { type: "card_error", message: "Your card was declined." },
  429: { type: "invalid_request_error", message: "Too many requests hit the API too quickly." },
};

/**
 * Starts the stand-in on 127.0.0.1, on a free port. With `secretKey`, a request with another
 * key is refused 401 as Stripe refuses an invalid API key.
 */
export async function startStripeStandIn(
  options: { secretKey?: string } = {},
): Promise<StripeStandIn> {
  const intents = new Map<string, StandInIntent>();
  const refunds: StandInRefund[] = [];
  const requests: StandInRequest[] = [];
  const counts = new Map<string, number>();
  const replays = new Map<string, { endpoint: string; body: string; answer: Answer }>();
  const faults: Answer[] = [];
  const changes = new Map<string, () => void>();
  let hangs = 0;

  const refundedOf = (intentId: string) =>
    refunds
      .filter((refund) => refund.payment_intent === intentId)
      .reduce((sum, refund) => sum + refund.amount, 0);

  const makeIntent = (params: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    automaticPaymentMethods: boolean;
  }): StandInIntent => {
    const id = idOf("pi");
    const intent: StandInIntent = {
      id,
      object: "payment_intent",
      amount: params.amount,
      amount_capturable: 0,
      amount_received: 0,
      automatic_payment_methods: params.automaticPaymentMethods ? { enabled: true } : null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: "automatic_async",
      client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
      confirmation_method: "automatic",
      created: epochSeconds(),
      currency: params.currency,
      description: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...params.metadata },
      next_action: null,
      payment_method: null,
      payment_method_types: ["card"],
      status: "requires_payment_method",
    };
    intents.set(id, intent);
    return intent;
  };

  const answerIntent = (form: Form): Answer => {
    const amount = textOf(form, "amount");
    const currency = textOf(form, "currency");
    if (amount === undefined) return missingParam("amount");
    if (currency === undefined) return missingParam("currency");
    if (!/^\d+$/.test(amount))
      return refusal(400, {
        code: "parameter_invalid_integer",
        message: `Invalid integer: ${amount}`,
        param: "amount",
      });
    const intent = makeIntent({
      amount: Number(amount),
      currency,
      metadata: stringsOf(form, "metadata"),
      automaticPaymentMethods: stringsOf(form, "automatic_payment_methods").enabled === "true",
    });
    return { status: 200, body: intent };
  };

  const cancelIntent = (id: string, form: Form): Answer => {
    const intent = intents.get(id);
    if (intent === undefined) return noSuch("payment_intent", id, "intent");
    if (!CANCELLABLE.includes(intent.status))
      return refusal(400, {
        code: "payment_intent_unexpected_state",
        message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELLABLE.join(", ")}.`,
        payment_intent: intent,
      });
    intent.status = "canceled";
    intent.canceled_at = epochSeconds();
    intent.cancellation_reason = textOf(form, "cancellation_reason") ?? null;
    return { status: 200, body: intent };
  };

  const createRefund = (form: Form): Answer => {
    const intentId = textOf(form, "payment_intent");
    if (intentId === undefined) return missingParam("payment_intent");
    const intent = intents.get(intentId);
    if (intent === undefined) return noSuch("payment_intent", intentId, "payment_intent");
    if (intent.status !== "succeeded")
      return refusal(400, {
        message: `This PaymentIntent (${intentId}) does not have a successful charge to refund.`,
      });
    const left = intent.amount_received - refundedOf(intentId);
    if (left <= 0)
      return refusal(400, {
        code: "charge_already_refunded",
        message: `Charge ${intent.latest_charge} has already been refunded.`,
      });
    const amount = Number(textOf(form, "amount") ?? left);
    if (amount > left)
      return refusal(400, {
        code: "amount_too_large",
        message: `Refund amount ($${amount / 100}) is greater than unrefunded amount on charge ($${left / 100})`,
        param: "amount",
      });
    const refund: StandInRefund = {
      id: idOf("re"),
      object: "refund",
      amount,
      charge: intent.latest_charge,
      created: epochSeconds(),
      currency: intent.currency,
      metadata: {},
      payment_intent: intentId,
      reason: null,
      status: "succeeded",
    };
    refunds.push(refund);
    return { status: 200, body: refund };
  };

  const handle = (endpoint: StandInEndpoint | "unknown", path: string, form: Form): Answer => {
    const id = path.split("/")[3] ?? "";
    switch (endpoint) {
      case "POST /v1/payment_intents":
        return answerIntent(form);
      case "GET /v1/payment_intents/:id": {
        const intent = intents.get(id);
        return intent === undefined
          ? noSuch("payment_intent", id, "intent")
          : { status: 200, body: intent };
      }
      case "POST /v1/payment_intents/:id/cancel":
        return cancelIntent(id, form);
      case "POST /v1/refunds":
        return createRefund(form);
      default:
        return refusal(404, { message: `Unrecognized request URL (${path}).` });
    }
  };

  /** The answer to a POST under an idempotency key: the first one's, or a refusal. */
  const idempotent = (key: string, endpoint: string, body: string, answer: () => Answer) => {
    const first = replays.get(key);
    if (first === undefined) {
      const fresh = answer();
      replays.set(key, { endpoint, body, answer: fresh });
      return fresh;
    }
    if (first.endpoint === endpoint && first.body === body) return first.answer;
    return refusal(400, {
      type: "idempotency_error",
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  };

  const send = (response: ServerResponse, answer: Answer) => {
    response.writeHead(answer.status, {
      "content-type": "application/json",
      "request-id": idOf("req"),
      ...answer.headers,
    });
    response.end(JSON.stringify(answer.body));
  };

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = new URL(request.url ?? "/", "http://stand-in").pathname;
    const method = request.method ?? "GET";
    const endpoint = endpointOf(method, path);
    const key = request.headers["idempotency-key"];
    const idempotencyKey = typeof key === "string" ? key : undefined;
    const form = parseForm(body);
    requests.push({ endpoint, idempotencyKey, form });
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);

    const change = changes.get(endpoint);
    changes.delete(endpoint);
    change?.();
    if (hangs > 0) {
      hangs -= 1;
      return;
    }
    const fault = faults.shift();
    if (fault !== undefined) return send(response, fault);
    if (
      options.secretKey !== undefined &&
      request.headers.authorization !== `Bearer ${options.secretKey}`
    ) {
      return send(response, { status: 401, body: { error: DEFAULT_FAULTS[401] } });
    }
    const answer = () => handle(endpoint, path, form);
    send(
      response,
      method === "POST" && idempotencyKey !== undefined
        ? idempotent(idempotencyKey, `${method} ${path}`, body, answer)
        : answer(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the stand-in has no port");

  const intentNamed = (intentId: string): StandInIntent => {
    const intent = intents.get(intentId);
    if (intent === undefined) throw new Error(`the stand-in has no intent ${intentId}`);
    return intent;
  };

  const event = (intentId: string, type: string): StandInEvent => ({
    id: idOf("evt"),
    object: "event",
    api_version: Stripe.API_VERSION,
    created: epochSeconds(),
    data: { object: structuredClone(intentNamed(intentId)) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });

  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
    intents: () => [...intents.values()].map((intent) => structuredClone(intent)),
    refunds: () => refunds.map((refund) => ({ ...refund })),
    requests: () => structuredClone(requests),
    calls: (endpoint) => counts.get(endpoint) ?? 0,
    succeed(intentId, { amount } = {}) {
      const intent = intentNamed(intentId);
      intent.amount = amount ?? intent.amount;
      intent.amount_received = intent.amount;
      intent.status = "succeeded";
      intent.latest_charge = idOf("ch");
      intent.last_payment_error = null;
      return event(intentId, "payment_intent.succeeded");
    },
    fail(intentId, message) {
      const intent = intentNamed(intentId);
      intent.status = "requires_payment_method";
      intent.last_payment_error = {
        type: "card_error",
        code: "card_declined",
        decline_code: "generic_decline",
        message,
      };
      return event(intentId, "payment_intent.payment_failed");
    },
    setStatus(intentId, status) {
      const intent = intentNamed(intentId);
      intent.status = status;
      if (status === "canceled") {
        intent.canceled_at = epochSeconds();
        intent.cancellation_reason = "abandoned";
      }
    },
    event,
    createIntent: ({ amount, currency = "usd", metadata = {} }) =>
      makeIntent({ amount, currency, metadata, automaticPaymentMethods: true }).id,
    failNext(status, body, { shouldRetry = false } = {}) {
      const error = DEFAULT_FAULTS[status] ?? {
        type: "api_error",
        message: "Something went wrong on Stripe's end.",
      };
      faults.push({
        status,
        body: body ?? { error },
        headers: { "stripe-should-retry": String(shouldRetry) },
      });
    },
    beforeNext(endpoint, change) {
      changes.set(endpoint, change);
    },
    hangNext() {
      hangs += 1;
    },
    expireIdempotencyKeys() {
      replays.clear();
    },
  };
}

/** The Stripe-Signature header of `body`, made with the official library's test helper. */
export function signedBody(body: string, secret: string, options: { timestamp?: number } = {}) {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
}

/**
 * A webhook delivery of `event` as Stripe sends it: the body pretty-printed and signed.
 * `timestamp` (epoch seconds, default now) dates the signature.
 */
export function signedDelivery(
  event: object,
  secret: string,
  options: { timestamp?: number } = {},
): { body: string; signature: string } {
  const body = JSON.stringify(event, null, 2);
  return { body, signature: signedBody(body, secret, options) };
}
