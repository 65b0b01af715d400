import type { OrderStatus, OrderUpdate } from "../api/types.js";
import { createStore } from "../state.js";

export type SocketState = "closed" | "connecting" | "open";

/** Whether pushed updates can arrive now; the order page polls whenever this is not "open". */
export const socketState = createStore<SocketState>("closed");

const listeners = new Set<(update: OrderUpdate) => void>();

const STATUSES: readonly OrderStatus[] = [
  "PLACED",
  "PROCESSING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
];

function parseUpdate(data: unknown): OrderUpdate | null {
  if (typeof data !== "string") return null;
  try {
    const value = JSON.parse(data) as Record<string, unknown>;
    if (value.type !== "order.updated" || typeof value.orderId !== "string") return null;
    const status = STATUSES.find((known) => known === value.status);
    if (status === undefined) return null;
    const update: OrderUpdate = { type: "order.updated", orderId: value.orderId, status };
    if (typeof value.reason === "string") update.reason = value.reason;
    return update;
  } catch {
    return null;
  }
}

/** Delivers an update (pushed, or seen by polling) to every listener. */
export function publish(update: OrderUpdate): void {
  for (const listener of [...listeners]) listener(update);
}

export function onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let socket: WebSocket | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let wanted = false;

/**
 * Holds one WebSocket to the notifications endpoint while signed in, reconnecting with backoff
 * when it drops. The token rides in the query string: a browser cannot set headers on it.
 */
export function connectUpdates(websocketUrl: string, token: () => Promise<string | null>): void {
  disconnectUpdates();
  wanted = true;
  const open = async () => {
    const accessToken = await token();
    if (!wanted || accessToken === null) return;
    const url = new URL(websocketUrl);
    url.searchParams.set("token", accessToken);
    socketState.set("connecting");
    const current = new WebSocket(url);
    socket = current;
    current.addEventListener("open", () => {
      failures = 0;
      socketState.set("open");
    });
    current.addEventListener("message", (event: MessageEvent) => {
      const update = parseUpdate(event.data);
      if (update !== null) publish(update);
    });
    current.addEventListener("close", () => {
      if (socket !== current) return;
      socket = undefined;
      socketState.set("closed");
      if (!wanted) return;
      failures += 1;
      const delayMs = Math.min(1000 * 2 ** Math.min(failures - 1, 5), 30_000);
      retryTimer = setTimeout(() => void open(), delayMs);
    });
  };
  void open();
}

export function disconnectUpdates(): void {
  wanted = false;
  clearTimeout(retryTimer);
  const current = socket;
  socket = undefined;
  current?.close();
  socketState.set("closed");
}
