import { ORDER_STATUSES, type OrderUpdate, type Shipment } from "../api/types.js";
import { createStore } from "../state.js";

export type SocketState = "closed" | "connecting" | "open";

/** Whether pushed updates can arrive now; the order page polls whenever this is not "open". */
export const socketState = createStore<SocketState>("closed");

const listeners = new Set<(update: OrderUpdate) => void>();

function parseShipment(value: unknown): Shipment | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { carrier, trackingNumber, trackingUrl, shippedAt } = value as Record<string, unknown>;
  if (
    typeof carrier !== "string" ||
    typeof trackingNumber !== "string" ||
    typeof shippedAt !== "string" ||
    (trackingUrl !== null && typeof trackingUrl !== "string")
  ) {
    return undefined;
  }
  return { carrier, trackingNumber, trackingUrl, shippedAt };
}

function parseUpdate(data: unknown): OrderUpdate | null {
  if (typeof data !== "string") return null;
  try {
    const value = JSON.parse(data) as Record<string, unknown>;
    if (value.type !== "order.updated" || typeof value.orderId !== "string") return null;
    const status = ORDER_STATUSES.find((known) => known === value.status);
    if (status === undefined) return null;
    const update: OrderUpdate = { type: "order.updated", orderId: value.orderId, status };
    if (typeof value.reason === "string") update.reason = value.reason;
    const shipment = parseShipment(value.shipment);
    if (shipment !== undefined) update.shipment = shipment;
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

/** The subprotocol a guest's socket opens with, its order's access token offered after it. */
const GUEST_ORDER_SUBPROTOCOL = "order-access-token";

let guestSocketUrl: string | undefined;

/** Where a guest's order page opens its socket: the notifications endpoint of config.json. */
export function configureGuestUpdates(websocketUrl: string): void {
  guestSocketUrl = websocketUrl;
}

/**
 * Follows guest order `orderId` on a WebSocket of its own, the order's access token offered as a
 * subprotocol (a browser can set no header on a socket, and the address is what logs keep):
 * `onUpdate` hears each update of it, `onOpen` whether pushed updates can arrive now (the page
 * polls whenever they cannot). No reconnecting: polling is the fallback. Answers the stop.
 */
export function followGuestOrder(
  orderId: string,
  token: string,
  onUpdate: (update: OrderUpdate) => void,
  onOpen: (open: boolean) => void,
): () => void {
  if (guestSocketUrl === undefined) return () => {};
  const url = new URL(guestSocketUrl);
  url.searchParams.set("guestOrder", orderId);
  let current: WebSocket;
  try {
    current = new WebSocket(url, [GUEST_ORDER_SUBPROTOCOL, token]);
  } catch {
    return () => {};
  }
  current.addEventListener("open", () => onOpen(true));
  current.addEventListener("close", () => onOpen(false));
  current.addEventListener("message", (event: MessageEvent) => {
    const update = parseUpdate(event.data);
    if (update !== null && update.orderId === orderId) onUpdate(update);
  });
  return () => {
    onOpen(false);
    current.close();
  };
}
