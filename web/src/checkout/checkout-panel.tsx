import { useEffect, useRef, useState } from "preact/hooks";
import { asApiError } from "../api/problem.js";
import { addAddress, listAddresses, quoteCheckout } from "../api/store-api.js";
import type { Cart, CheckoutInput, CheckoutQuote, SavedAddress } from "../api/types.js";
import { session } from "../auth/session.js";
import { loadCart } from "../cart/cart-store.js";
import { placeOrder } from "../cart/checkout.js";
import { guestOrderHref } from "../cart/guest-order-link.js";
import { keepGuestOrder } from "../cart/guest-orders.js";
import { readGuestToken } from "../cart/guest-token.js";
import { Field, FieldError } from "../components/field.js";
import { ProblemView } from "../components/problem-view.js";
import { formatMoney } from "../format.js";
import { pagePath } from "../page-paths.js";
import { navigate } from "../router.js";
import { useStore } from "../state.js";
import { AddressFields } from "./address-fields.js";
import {
  type AddressField,
  type AddressValues,
  addressInput,
  addressLine,
  EMPTY_ADDRESS,
} from "./address-values.js";
import {
  type CheckoutForm,
  type FormErrors,
  firstInvalid,
  formErrors,
  NO_ERRORS,
  quoteInput,
} from "./checkout-input.js";
import { countryName, likelyCountry } from "./countries.js";
import { OrderTotals } from "./order-totals.js";
import { ShippingMethods } from "./shipping-methods.js";
import { totalsRows } from "./totals-rows.js";

const FIELD_ORDER: readonly AddressField[] = [
  "name",
  "line1",
  "line2",
  "city",
  "postalCode",
  "region",
  "country",
  "phone",
];

/** The signed-in customer's address book; empty for a guest or when it cannot be read. */
function useAddressBook(signedIn: boolean): SavedAddress[] | null {
  const [book, setBook] = useState<SavedAddress[] | null>(signedIn ? null : []);
  useEffect(() => {
    if (!signedIn) {
      setBook([]);
      return;
    }
    let live = true;
    listAddresses().then(
      (answer) => live && setBook(answer.items),
      // No book is no reason not to check out: the customer types the address instead.
      () => live && setBook([]),
    );
    return () => {
      live = false;
    };
  }, [signedIn]);
  return book;
}

/** The country a form ships to, for "We do not ship to …". */
function shippedTo(form: CheckoutForm, book: readonly SavedAddress[]): string {
  if (form.shipTo === "new") return form.shipping.country.trim().toUpperCase();
  return book.find((address) => address.id === form.shipTo)?.country ?? "";
}

/**
 * Checkout in two steps on the basket: where to (the e-mail address of a guest, an address
 * typed or picked from the address book, a billing address when it differs), then how (the
 * shipping methods to that address and the totals the API quoted for the one chosen) and
 * "Place order". Every amount shown is the API's; a change of address asks for a new quote.
 */
export function CheckoutPanel({ current }: { current: Cart }) {
  const user = useStore(session);
  const signedIn = user !== null;
  const book = useAddressBook(signedIn);
  const [form, setForm] = useState<CheckoutForm>(() => ({
    shipTo: "new",
    shipping: { ...EMPTY_ADDRESS, country: likelyCountry(navigator.language) },
    billingSame: true,
    billing: { ...EMPTY_ADDRESS },
    email: "",
  }));
  const [saveToBook, setSaveToBook] = useState(false);
  const [quote, setQuote] = useState<CheckoutQuote | null>(null);
  // The method just picked, shown as chosen while its quote is on its way.
  const [picked, setPicked] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState<"quote" | "order" | null>(null);
  const [status, setStatus] = useState("");
  const [focusId, setFocusId] = useState<string | null>(null);
  // The address saved to the book on this visit, so a retried order does not save it twice.
  const saved = useRef<string | null>(null);
  const methods = useRef<HTMLHeadingElement>(null);
  // Only the answer to the latest quote asked counts (arrow keys through the methods ask several).
  const latestQuote = useRef(0);

  // The book's default is picked for the customer once the book arrives.
  useEffect(() => {
    const preferred = book?.find((address) => address.isDefault) ?? book?.[0];
    if (preferred !== undefined) setForm((now) => ({ ...now, shipTo: preferred.id }));
  }, [book]);

  useEffect(() => {
    if (focusId === null) return;
    document.getElementById(focusId)?.focus();
    setFocusId(null);
  }, [focusId]);

  const refuse = (failure: unknown) => {
    const problem = asApiError(failure);
    const next = formErrors(problem, form, shippedTo(form, book ?? []));
    setErrors(next);
    setFocusId(firstInvalid(next, FIELD_ORDER));
    setStatus("");
    // The cart changed under us (another tab, a price): show the server's version of it.
    if (problem.status === 409 || (problem.status === 422 && problem.code !== "NOT_SHIPPABLE")) {
      void loadCart().catch(() => undefined);
    }
  };

  /** Asks the API for the methods to the form's address and the totals of `methodId`. */
  const askQuote = async (methodId?: string) => {
    const asked = ++latestQuote.current;
    setBusy("quote");
    setErrors(NO_ERRORS);
    setStatus("Working out shipping and tax…");
    try {
      const input = quoteInput(form);
      if (methodId !== undefined) input.shippingMethodId = methodId;
      const answer = await quoteCheckout(input, signedIn ? null : readGuestToken());
      if (asked !== latestQuote.current) return;
      setQuote(answer);
      setPicked(null);
      setStatus(
        `Shipping and tax worked out: ${formatMoney(answer.totals.totalCents, answer.totals.currency)} in all.`,
      );
      if (methodId === undefined) setTimeout(() => methods.current?.focus(), 0);
    } catch (failure) {
      if (asked !== latestQuote.current) return;
      setQuote(null);
      setPicked(null);
      refuse(failure);
    } finally {
      if (asked === latestQuote.current) setBusy(null);
    }
  };

  // A changed basket (quantities, a code) is priced again for the address already quoted.
  const version = useRef(current.version);
  useEffect(() => {
    if (version.current === current.version) return;
    version.current = current.version;
    if (quote !== null) void askQuote(quote.shippingMethodId);
  }, [current.version]);

  /** Any change of where to drops the quote: its totals would no longer be the form's. */
  const change = (next: Partial<CheckoutForm>) => {
    setForm((now) => ({ ...now, ...next }));
    setQuote(null);
  };
  const changeAddress = (part: "shipping" | "billing") => (field: AddressField, value: string) => {
    setForm((now) => ({ ...now, [part]: { ...now[part], [field]: value } }));
    setQuote(null);
    setErrors((now) => ({ ...now, [part]: { ...now[part], [field]: undefined } }));
  };

  const continueToShipping = (event: Event) => {
    event.preventDefault();
    if (!signedIn && form.email.trim() === "") {
      setErrors({
        ...NO_ERRORS,
        email: "Enter your e-mail address: the order's messages go there.",
      });
      setFocusId("checkout-email");
      return;
    }
    void askQuote();
  };

  const order = async () => {
    if (quote === null) return;
    setBusy("order");
    setErrors(NO_ERRORS);
    setStatus("Placing your order…");
    try {
      if (signedIn && saveToBook && form.shipTo === "new") await saveAddress(form.shipping);
      const input: CheckoutInput = {
        ...quoteInput(form),
        shippingMethodId: quote.shippingMethodId,
      };
      if (!signedIn) input.email = form.email.trim();
      const placed = await placeOrder(current, input, signedIn ? null : readGuestToken());
      void loadCart().catch(() => undefined);
      if (placed.orderAccessToken === undefined) {
        navigate(pagePath("order", placed.id));
      } else {
        const link = { id: placed.id, token: placed.orderAccessToken };
        keepGuestOrder(link);
        navigate(guestOrderHref(link));
      }
    } catch (failure) {
      refuse(failure);
      setBusy(null);
    }
  };

  const saveAddress = async (values: AddressValues) => {
    const body = addressInput(values);
    const key = JSON.stringify(body);
    if (saved.current === key) return;
    await addAddress({ ...body, isDefault: !(book ?? []).some((address) => address.isDefault) });
    saved.current = key;
  };

  const savedChoice = (book ?? []).length > 0;
  return (
    <section class="panel checkout-panel" aria-labelledby="checkout-title">
      <h2 id="checkout-title">Checkout</h2>
      <p class="visually-hidden" aria-live="polite">
        {status}
      </p>
      {signedIn ? null : (
        <p class="muted">
          Checking out as a guest.{" "}
          <a href="/sign-in?next=%2Fbasket">Sign in to use your address book</a>; your basket comes
          with you.
        </p>
      )}
      <form class="form" noValidate onSubmit={continueToShipping}>
        {signedIn ? null : (
          <fieldset class="group">
            <legend>Contact</legend>
            <Field
              id="checkout-email"
              label="Email"
              type="email"
              autocomplete="email"
              inputMode="email"
              required
              maxLength={254}
              value={form.email}
              hint="For your receipt and the link to follow your order."
              error={errors.email}
              onValue={(email) => {
                setForm((now) => ({ ...now, email }));
                setErrors((now) => ({ ...now, email: undefined }));
              }}
            />
          </fieldset>
        )}
        {savedChoice ? (
          <fieldset
            class="choices group"
            id="ship-to"
            tabIndex={-1}
            aria-describedby={errors.shipTo === undefined ? undefined : "ship-to-error"}
          >
            <legend>Ship to</legend>
            {(book ?? []).map((address) => (
              <div key={address.id} class="choice">
                <input
                  type="radio"
                  id={`ship-to-${address.id}`}
                  name="shipTo"
                  value={address.id}
                  checked={form.shipTo === address.id}
                  onChange={() => change({ shipTo: address.id })}
                />
                <label for={`ship-to-${address.id}`}>
                  {addressLine(address, countryName)}
                  {address.isDefault ? <span class="muted"> (default)</span> : null}
                </label>
              </div>
            ))}
            <div class="choice">
              <input
                type="radio"
                id="ship-to-new"
                name="shipTo"
                value="new"
                checked={form.shipTo === "new"}
                onChange={() => change({ shipTo: "new" })}
              />
              <label for="ship-to-new">A new address</label>
            </div>
            <FieldError id="ship-to" error={errors.shipTo} />
          </fieldset>
        ) : null}
        {form.shipTo === "new" ? (
          <fieldset class="group">
            <legend>Shipping address</legend>
            <AddressFields
              section="shipping"
              values={form.shipping}
              errors={errors.shipping}
              onChange={changeAddress("shipping")}
            />
            {signedIn ? (
              <div class="check">
                <input
                  type="checkbox"
                  id="save-address"
                  checked={saveToBook}
                  onChange={(event) => setSaveToBook(event.currentTarget.checked)}
                />
                <label for="save-address">Save to my address book</label>
              </div>
            ) : null}
          </fieldset>
        ) : null}
        <div class="check">
          <input
            type="checkbox"
            id="billing-same"
            checked={form.billingSame}
            onChange={(event) => change({ billingSame: event.currentTarget.checked })}
          />
          <label for="billing-same">Billing address same as shipping</label>
        </div>
        {form.billingSame ? null : (
          <fieldset class="group">
            <legend>Billing address</legend>
            <AddressFields
              section="billing"
              values={form.billing}
              errors={errors.billing}
              onChange={changeAddress("billing")}
            />
          </fieldset>
        )}
        {quote === null ? (
          <button type="submit" class="button" disabled={busy !== null}>
            {busy === "quote" ? "Working out shipping…" : "Continue to shipping"}
          </button>
        ) : null}
      </form>
      {quote === null ? null : (
        <div class="checkout-review">
          <h3 ref={methods} tabIndex={-1}>
            Shipping and total
          </h3>
          <ShippingMethods
            options={quote.shippingMethods}
            chosen={picked ?? quote.shippingMethodId}
            currency={quote.totals.currency}
            onChoose={(methodId) => {
              setPicked(methodId);
              void askQuote(methodId);
            }}
          />
          <OrderTotals
            currency={quote.totals.currency}
            rows={totalsRows(quote.totals, {
              discountLabel: `Discount (${current.discountPercentage}%)`,
              shipped: true,
            })}
          />
          <div class="checkout">
            <button
              type="button"
              class="button button-primary"
              disabled={busy !== null}
              onClick={() => void order()}
            >
              {busy === "order" ? "Placing your order…" : "Place order"}
            </button>
          </div>
        </div>
      )}
      {errors.general === null ? null : <ProblemView error={errors.general} />}
    </section>
  );
}
