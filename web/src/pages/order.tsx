import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { cancelOrder, getOrder, payOrder } from "../api/store-api.js";
import { type Order, type OrderStatus, TERMINAL_STATUSES } from "../api/types.js";
import { session } from "../auth/session.js";
import { OrderView } from "../components/order-view.js";
import { ProblemView } from "../components/problem-view.js";
import { SignInNeeded } from "../components/sign-in-needed.js";
import { STATUS_TEXT } from "../format.js";
import { onOrderUpdate, publish, socketState } from "../live/order-updates.js";
import { usePageTitle } from "../load.js";
import { useStore } from "../state.js";
import { NotFoundPage } from "./not-found.js";

const POLL_MS = 2000;

/**
 * The order, kept current: updates pushed over the WebSocket, and GET /orders/{id} every few
 * seconds whenever the socket is not open (refused, dropped, reconnecting) until the order ends.
 */
function useLiveOrder(id: string): { order: Order | null; error: ApiError | null } {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const socket = useStore(socketState);
  const seen = useRef<OrderStatus | null>(null);
  const done = order !== null && TERMINAL_STATUSES.includes(order.status);

  useEffect(() => {
    setOrder(null);
    setError(null);
    seen.current = null;
    let live = true;
    const stop = onOrderUpdate((update) => {
      if (update.orderId !== id) return;
      seen.current = update.status;
      setOrder((current) => {
        if (current === null || current.status === update.status) return current;
        const next: Order = { ...current, status: update.status };
        if (update.reason !== undefined) next.failureReason = update.reason;
        if (update.shipment !== undefined) next.shipment = update.shipment;
        return next;
      });
      // The push says the status and the parcel; the rest (when it was delivered) is read.
      if (update.status === "SHIPPED" || update.status === "DELIVERED") {
        getOrder(id).then(
          (fresh) => live && setOrder(fresh),
          () => undefined,
        );
      }
    });
    return () => {
      live = false;
      stop();
    };
  }, [id]);

  // Read the order now, again whenever the socket (re)opens (an update may have gone by while
  // it was closed), and on a timer while it is not open.
  useEffect(() => {
    if (done) return;
    let live = true;
    const read = () =>
      getOrder(id).then(
        (fresh) => {
          if (!live) return;
          const before = seen.current;
          seen.current = fresh.status;
          setOrder(fresh);
          // A change that polling found rings the bell as a pushed one would.
          if (before !== null && before !== fresh.status) {
            const update = {
              type: "order.updated" as const,
              orderId: fresh.id,
              status: fresh.status,
            };
            publish(
              fresh.failureReason === undefined
                ? update
                : { ...update, reason: fresh.failureReason },
            );
          }
        },
        (failure: unknown) => live && setError(asApiError(failure)),
      );
    void read();
    const timer = socket === "open" ? undefined : setInterval(read, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [id, socket, done]);

  return { order, error };
}

function LiveOrder({ id }: { id: string }) {
  const { order, error } = useLiveOrder(id);
  usePageTitle(
    order === null ? "Order" : `Order ${order.id.slice(0, 8)}: ${STATUS_TEXT[order.status]}`,
  );
  if (order === null && error !== null) {
    if (error.status === 404) return <NotFoundPage what="order" />;
    return <ProblemView error={error} />;
  }
  if (order === null) return <p aria-busy="true">Loading the order…</p>;
  const cancel = async () => {
    const cancelled = await cancelOrder(order.id);
    publish({ type: "order.updated", orderId: cancelled.id, status: cancelled.status });
  };
  return (
    <OrderView
      order={order}
      cancel={cancel}
      pay={() => payOrder(order.id)}
      crumbs={
        <a href="/account/orders">
          <span aria-hidden="true">← </span>My orders
        </a>
      }
    />
  );
}

export function OrderPage({ id }: { id: string }) {
  const user = useStore(session);
  if (user === null)
    return <SignInNeeded next={`/account/orders/${encodeURIComponent(id)}`} what="this order" />;
  return <LiveOrder id={id} />;
}
