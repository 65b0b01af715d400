import { describe, expect, it } from "vitest";
import { ApiError } from "../../../../web/src/api/problem.js";
import { tokenOfFragment } from "../../../../web/src/cart/guest-order-link.js";
import { EMPTY_ADDRESS } from "../../../../web/src/checkout/address-values.js";
import {
  type CheckoutForm,
  firstInvalid,
  formErrors,
  quoteInput,
} from "../../../../web/src/checkout/checkout-input.js";

// What the checkout form sends, and where each of the API's refusals is shown.

const form: CheckoutForm = {
  shipTo: "new",
  shipping: {
    ...EMPTY_ADDRESS,
    name: " Ana ",
    line1: "Av. Paulista 1000",
    city: "São Paulo",
    country: "BR",
  },
  billingSame: true,
  billing: { ...EMPTY_ADDRESS },
  email: "ana@example.com",
};

const problem = (code: string, status: number, fields: { field: string; message: string }[]) =>
  new ApiError({ status, code, title: code, detail: "refused", fields });

describe("the checkout form", () => {
  it("sends the typed address trimmed, without its empty parts, or the saved address's id", () => {
    expect(quoteInput(form)).toEqual({
      shippingAddress: {
        name: "Ana",
        line1: "Av. Paulista 1000",
        city: "São Paulo",
        country: "BR",
      },
    });
    expect(quoteInput({ ...form, shipTo: "a-1", billingSame: false })).toEqual({
      addressId: "a-1",
      billingAddress: {},
    });
  });

  it("says NOT_SHIPPABLE on the country, by the country's name", () => {
    const refused = problem("NOT_SHIPPABLE", 422, [
      { field: "shippingAddress.country", message: "the shop does not ship to BR" },
    ]);
    const errors = formErrors(refused, form, "BR");
    expect(errors.shipping.country).toMatch(/^We do not ship to Brazil\./);
    expect(errors.general).toBeNull();
    expect(firstInvalid(errors, ["name", "country"])).toBe("shipping-country");
  });

  it("puts each field error beside its field, and what no field shows above the button", () => {
    const refused = problem("VALIDATION_FAILED", 400, [
      { field: "shippingAddress.postalCode", message: "required for DE" },
      { field: "billingAddress.name", message: "required" },
      { field: "email", message: "Invalid email address" },
    ]);
    const errors = formErrors(refused, form, "DE");
    expect(errors.shipping).toEqual({ postalCode: "Required for DE." });
    expect(errors.billing).toEqual({ name: "Required." });
    expect(errors.email).toBe("Invalid email address.");
    expect(firstInvalid(errors, ["name", "postalCode"])).toBe("checkout-email");

    const other = formErrors(problem("OUT_OF_STOCK", 409, []), form, "DE");
    expect(other.general?.code).toBe("OUT_OF_STOCK");
  });

  it("says a saved address's refusal at the address book choice", () => {
    const refused = problem("NOT_SHIPPABLE", 422, [
      { field: "shippingAddress.country", message: "the shop does not ship to BR" },
    ]);
    const errors = formErrors(refused, { ...form, shipTo: "a-1" }, "BR");
    expect(errors.shipTo).toMatch(/^We do not ship to Brazil\./);
    expect(errors.shipping).toEqual({});
  });

  it("reads a guest order's key from the link's fragment only", () => {
    expect(tokenOfFragment("#token=abc_DEF-123")).toBe("abc_DEF-123");
    expect(tokenOfFragment("")).toBeNull();
    expect(tokenOfFragment("#other=1")).toBeNull();
  });
});
