import type { ApiError } from "../api/problem.js";
import type { CheckoutQuoteInput } from "../api/types.js";
import {
  type AddressField,
  type AddressValues,
  addressErrors,
  addressInput,
  sentence,
} from "./address-values.js";
import { countryName } from "./countries.js";

/** What the checkout form holds: where to, billed where, and (a guest's) e-mail address. */
export interface CheckoutForm {
  /** "new" for the typed address, else the id of an address book entry. */
  shipTo: string;
  shipping: AddressValues;
  billingSame: boolean;
  billing: AddressValues;
  email: string;
}

/** The quote's (and, with the method and e-mail, the checkout's) body for the form. */
export function quoteInput(form: CheckoutForm): CheckoutQuoteInput {
  const input: CheckoutQuoteInput =
    form.shipTo === "new"
      ? { shippingAddress: addressInput(form.shipping) }
      : { addressId: form.shipTo };
  if (!form.billingSame) input.billingAddress = addressInput(form.billing);
  return input;
}

/** A refusal's errors, each where the form shows it; what no field shows stays in `general`. */
export interface FormErrors {
  shipping: Partial<Record<AddressField, string>>;
  billing: Partial<Record<AddressField, string>>;
  /** About the chosen address book entry (the "Ship to" choice). */
  shipTo?: string | undefined;
  email?: string | undefined;
  general: ApiError | null;
}

export const NO_ERRORS: FormErrors = { shipping: {}, billing: {}, general: null };

/**
 * Places each of a problem's field errors next to its field (`shippingAddress.postalCode` under
 * the postal code); NOT_SHIPPABLE is said on the country as "We do not ship to …".
 * `shippedTo` is the country the refused request shipped to.
 */
export function formErrors(problem: ApiError, form: CheckoutForm, shippedTo: string): FormErrors {
  const errors: FormErrors = {
    shipping: addressErrors(problem.fields, "shippingAddress"),
    billing: addressErrors(problem.fields, "billingAddress"),
    general: null,
  };
  const saved = form.shipTo !== "new";
  if (problem.code === "NOT_SHIPPABLE") {
    const where = shippedTo === "" ? "this country" : countryName(shippedTo);
    const message = `We do not ship to ${where}. Choose another address, or ask the shop.`;
    if (saved) errors.shipTo = message;
    else errors.shipping.country = message;
  }
  for (const { field, message } of problem.fields) {
    if (field === "email") errors.email ??= sentence(message);
    else if (field === "addressId" || (saved && field.startsWith("shippingAddress."))) {
      errors.shipTo ??= sentence(message);
    }
  }
  // A saved address has no inputs on the form: what is wrong with it is said at the choice.
  if (saved) errors.shipping = {};
  const pointed =
    Object.keys(errors.shipping).length +
    Object.keys(errors.billing).length +
    (errors.shipTo === undefined ? 0 : 1) +
    (errors.email === undefined ? 0 : 1);
  // Anything the form cannot point at is said above the button, as the API explained it.
  if (pointed === 0) errors.general = problem;
  return errors;
}

/** The id of the first input an error names, in the order the form shows them, to focus it. */
export function firstInvalid(errors: FormErrors, order: readonly AddressField[]): string | null {
  if (errors.email !== undefined) return "checkout-email";
  if (errors.shipTo !== undefined) return "ship-to";
  for (const field of order) if (errors.shipping[field] !== undefined) return `shipping-${field}`;
  for (const field of order) if (errors.billing[field] !== undefined) return `billing-${field}`;
  return null;
}
