import { useEffect, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { cancelGuestOrder, getGuestOrder, payGuestOrder } from "../api/store-api.js";
import { type Order, TERMINAL_STATUSES } from "../api/types.js";
import { tokenOfFragment } from "../cart/guest-order-link.js";
import { keepGuestOrder, keptToken } from "../cart/guest-orders.js";
import { OrderView } from "../components/order-view.js";
import { ProblemView } from "../components/problem-view.js";
import { STATUS_TEXT } from "../format.js";
import { followGuestOrder } from "../live/order-updates.js";
import { usePageTitle } from "../load.js";
import { NotFoundPage } from "./not-found.js";

/** How often a guest's order page reads the order while it is not finished. */
const POLL_MS = 3000;

/**
 * A guest's order, opened by the key in the link's fragment (`#token=…`, which no server and no
 * Referer ever sees) or, without one, by the key this browser kept. It stays live until it is
 * finished: read again on each update its WebSocket pushes, and every few seconds while that
 * socket is not open (refused, dropped, or not reachable).
 */
function useGuestOrder(id: string, token: string | null) {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [pushed, setPushed] = useState(0);
  const [socketOpen, setSocketOpen] = useState(false);
  const done = order !== null && TERMINAL_STATUSES.includes(order.status);

  useEffect(() => {
    if (token === null || done) return;
    return followGuestOrder(id, token, () => setPushed((count) => count + 1), setSocketOpen);
  }, [id, token, done]);

  // Another key (a link pasted into this tab) shows nothing of what the last one opened.
  useEffect(() => {
    setOrder(null);
    setError(null);
  }, [id, token]);

  useEffect(() => {
    if (token === null || done) return;
    let live = true;
    const read = () =>
      getGuestOrder(id, token).then(
        (fresh) => {
          if (!live) return;
          setOrder(fresh);
          setError(null);
          // Opened from a link on another device: this browser now keeps the way back too.
          keepGuestOrder({ id, token });
        },
        (failure: unknown) => live && setError(asApiError(failure)),
      );
    void read();
    const timer = socketOpen ? undefined : setInterval(read, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [id, token, done, socketOpen, pushed]);

  return { order, setOrder, error };
}

export function GuestOrderPage({ id }: { id: string }) {
  const tokenNow = () => tokenOfFragment(window.location.hash) ?? keptToken(id);
  const [token, setToken] = useState(tokenNow);
  // A link that differs only in its fragment does not load the page again: follow the fragment.
  useEffect(() => {
    const follow = () => setToken(tokenNow());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, [id]);
  const { order, setOrder, error } = useGuestOrder(id, token);
  usePageTitle(
    order === null ? "Your order" : `Order ${order.id.slice(0, 8)}: ${STATUS_TEXT[order.status]}`,
  );
  // A wrong or malformed key opens nothing: the API answers 404 (or 400), never whose order.
  if (
    token === null ||
    (order === null && error !== null && error.status < 500 && error.status !== 0)
  ) {
    return <NotFoundPage what="order" />;
  }
  if (order === null && error !== null) return <ProblemView error={error} />;
  if (order === null) return <p aria-busy="true">Loading your order…</p>;
  const cancel = async () => {
    setOrder(await cancelGuestOrder(id, token));
  };
  return (
    <OrderView order={order} cancel={cancel} pay={() => payGuestOrder(id, token)}>
      <p class="keep-link">
        This page's address is the only key to your order: bookmark it to come back, on this device
        or another. Anyone with the link can see the order, so share it with care.
      </p>
    </OrderView>
  );
}
