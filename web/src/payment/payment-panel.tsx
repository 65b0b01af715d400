import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/problem.js";
import type { PaymentSession } from "../api/types.js";
import { formatMoney } from "../format.js";
import {
  loadStripeJs,
  STRIPE_JS_TIMEOUT_MS,
  type StripeElements,
  type StripeError,
  type StripeInstance,
} from "./stripe-js.js";

type Stripe = { stripe: StripeInstance; elements: StripeElements; amount: string };

type PaymentState =
  | { step: "asking" }
  /** Demo mode (the shop charges by itself), or an order no longer payable: nothing to show. */
  | { step: "none" }
  | { step: "loading" }
  | ({ step: "form" } & Stripe)
  | { step: "sent" }
  | { step: "unavailable"; cause: string };

const NOT_LOADED = "The payment form could not be loaded.";
const BLOCKED = "Check your connection or turn off content blockers for this page, then try again.";
const PROVIDER_DOWN = "Payments cannot be taken right now. Your order is kept: try again shortly.";

/** Why the form is missing, in words for the buyer: their side, or the shop's. */
function causeOf(failure: unknown): string {
  if (failure instanceof ApiError && failure.status === 0) return failure.detail;
  if (failure instanceof ApiError) return PROVIDER_DOWN;
  return BLOCKED;
}

/** Stripe's own words for what the buyer can fix (a declined card, a missing field), else ours. */
function payErrorText(error: StripeError): string {
  const theirs = error.type === "card_error" || error.type === "validation_error";
  return theirs && error.message !== undefined
    ? error.message
    : "The payment could not be completed. Please try again.";
}

/** The query parameters Stripe adds to return_url when a payment method redirected the buyer. */
const STRIPE_RETURN_PARAMS = ["payment_intent", "payment_intent_client_secret", "redirect_status"];

/**
 * Back from a redirect (a bank's page, 3-D Secure): what Stripe said of it, its parameters
 * taken out of the address so that a reload or a shared link does not carry the client secret.
 * The order page calls it too, so that they go even when the order no longer shows the panel.
 */
export function takeRedirectStatus(): string | null {
  const url = new URL(window.location.href);
  const status = url.searchParams.get("redirect_status");
  if (status === null) return null;
  for (const name of STRIPE_RETURN_PARAMS) url.searchParams.delete(name);
  window.history.replaceState(window.history.state, "", url.href);
  return status;
}

/**
 * The payment of an order still PLACED or PROCESSING, asked of the API (`pay`) once per order.
 * Demo mode shows nothing: the page watches the order as before. Stripe mode loads Stripe.js
 * from Stripe, mounts the Payment Element and a Pay button; the order then changes when Stripe's
 * webhook settles it. When the form cannot be loaded the buyer is told why, with a retry, and no
 * half-made form is left on the page.
 */
export function PaymentPanel({ pay }: { pay: () => Promise<PaymentSession> }) {
  const [returned] = useState(takeRedirectStatus);
  const paid = returned === "succeeded" || returned === "processing";
  const [state, setState] = useState<PaymentState>(paid ? { step: "sent" } : { step: "asking" });
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (paid) return;
    let live = true;
    const show = (next: PaymentState) => live && setState(next);
    const open = async () => {
      const session = await pay();
      if (session.provider === "demo") return show({ step: "none" });
      show({ step: "loading" });
      const Stripe = await loadStripeJs();
      const stripe = Stripe(session.publishableKey);
      show({
        step: "form",
        stripe,
        elements: stripe.elements({ clientSecret: session.clientSecret }),
        amount: formatMoney(session.amountCents, session.currency.toUpperCase()),
      });
    };
    open().catch((failure: unknown) => {
      if (failure instanceof ApiError && failure.code === "ORDER_NOT_PAYABLE")
        show({ step: "none" });
      else show({ step: "unavailable", cause: causeOf(failure) });
    });
    return () => {
      live = false;
    };
  }, [round]);

  const retry = () => {
    setState({ step: "loading" });
    setRound((count) => count + 1);
  };
  if (state.step === "asking" || state.step === "none") return null;
  return (
    <section class="panel payment" aria-labelledby="payment-title">
      <h2 id="payment-title">Payment</h2>
      {state.step === "loading" ? <p aria-busy="true">Loading the payment form…</p> : null}
      {state.step === "form" ? (
        <PaymentForm
          stripe={state.stripe}
          elements={state.elements}
          amount={state.amount}
          failed={() => setState({ step: "unavailable", cause: BLOCKED })}
          sent={() => setState({ step: "sent" })}
          refusedBefore={returned === "failed"}
        />
      ) : null}
      {state.step === "sent" ? (
        <p role="status">
          Payment sent. This page shows the order as paid as soon as Stripe confirms it.
        </p>
      ) : null}
      {state.step === "unavailable" ? (
        <div class="problem" role="alert">
          <p>
            <strong>{NOT_LOADED}</strong> {state.cause}
          </p>
          <button type="button" class="button" onClick={retry}>
            Try again
          </button>
        </div>
      ) : null}
    </section>
  );
}

/**
 * The Payment Element and its Pay button. The element is mounted into this form's own box and
 * destroyed with it; should it fail to load, or not be ready in time, `failed` takes the form
 * away for the message.
 */
function PaymentForm({
  stripe,
  elements,
  amount,
  failed,
  sent,
  refusedBefore,
}: Stripe & { failed: () => void; sent: () => void; refusedBefore: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    refusedBefore
      ? "The payment was not completed. Try again, or choose another way to pay."
      : null,
  );

  useEffect(() => {
    const target = box.current;
    if (target === null) return;
    const element = elements.create("payment");
    let isReady = false;
    // Its frame may be refused (a blocker, the CSP) without a loaderror: an empty box is no form.
    const timer = setTimeout(() => isReady || failed(), STRIPE_JS_TIMEOUT_MS);
    element.on("ready", () => {
      isReady = true;
      clearTimeout(timer);
      setReady(true);
    });
    element.on("loaderror", () => failed());
    element.mount(target);
    return () => {
      clearTimeout(timer);
      element.destroy();
    };
  }, [elements]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { error: refused } = await stripe.confirmPayment({
        elements,
        // A payment method that leaves the page (a bank's, 3-D Secure) comes back here: the
        // page's address without its query or fragment, since a guest page's fragment holds
        // the order's access token, which must never reach Stripe.
        confirmParams: { return_url: window.location.origin + window.location.pathname },
        redirect: "if_required",
      });
      if (refused === undefined) sent();
      else setError(payErrorText(refused));
    } catch {
      setError("The payment could not be sent. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="payment-form" onSubmit={(event) => void submit(event)}>
      <div ref={box} class="payment-element" />
      {ready ? null : <p aria-busy="true">Loading the payment form…</p>}
      <button type="submit" class="button button-primary" disabled={!ready || busy}>
        Pay {amount}
      </button>
      {error === null ? null : (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
