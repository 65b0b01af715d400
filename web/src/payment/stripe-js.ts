// Stripe.js, loaded from Stripe's own origin when an order is paid with Stripe: never bundled
// (Stripe requires it to come from js.stripe.com) and never loaded in demo mode. Only the few
// calls the payment form makes are typed here; @stripe/stripe-js would add a dependency for them.

/** Where Stripe.js is served from; the page's Content-Security-Policy must admit this origin. */
export const STRIPE_JS_URL = "https://js.stripe.com/v3/";

/** How long Stripe.js may take to arrive before the page says it could not be loaded. */
export const STRIPE_JS_TIMEOUT_MS = 10_000;

export interface StripeError {
  type: string;
  message?: string;
}

export interface PaymentElement {
  mount(target: HTMLElement): void;
  destroy(): void;
  on(event: "ready", handler: () => void): void;
  on(event: "loaderror", handler: (event: { error: StripeError }) => void): void;
}

export interface StripeElements {
  create(type: "payment"): PaymentElement;
}

export interface StripeInstance {
  elements(options: { clientSecret: string }): StripeElements;
  confirmPayment(options: {
    elements: StripeElements;
    confirmParams: { return_url: string };
    redirect: "if_required";
  }): Promise<{ error?: StripeError }>;
}

type StripeConstructor = (publishableKey: string) => StripeInstance;

declare global {
  interface Window {
    Stripe?: StripeConstructor;
  }
}

let loading: Promise<StripeConstructor> | undefined;

/**
 * Stripe.js's `Stripe` function, its script added to the page on the first call. It fails when
 * the script cannot be fetched (offline, a content blocker, the CSP) or has not run within
 * STRIPE_JS_TIMEOUT_MS; a failed load is forgotten, so that the next call tries again.
 */
export function loadStripeJs(): Promise<StripeConstructor> {
  if (window.Stripe !== undefined) return Promise.resolve(window.Stripe);
  if (loading === undefined) {
    loading = addStripeScript();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

function addStripeScript(): Promise<StripeConstructor> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS_URL;
    script.async = true;
    const fail = (reason: string) => {
      clearTimeout(timer);
      // The next try adds a fresh element; one that arrives late still defines window.Stripe,
      // which the next call then takes.
      script.remove();
      reject(new Error(reason));
    };
    const timer = setTimeout(
      () => fail(`Stripe.js did not load within ${STRIPE_JS_TIMEOUT_MS} ms`),
      STRIPE_JS_TIMEOUT_MS,
    );
    script.addEventListener("load", () => {
      clearTimeout(timer);
      if (window.Stripe === undefined) fail("Stripe.js loaded but defined no Stripe function");
      else resolve(window.Stripe);
    });
    script.addEventListener("error", () => fail("Stripe.js could not be fetched"));
    document.head.append(script);
  });
}
