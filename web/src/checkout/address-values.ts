import type { AddressInput, PostalAddress } from "../api/types.js";

/** An address form's values, each as typed (a select's for the country). */
export interface AddressValues {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
}

export type AddressField = keyof AddressValues;

export const EMPTY_ADDRESS: AddressValues = {
  name: "",
  line1: "",
  line2: "",
  city: "",
  region: "",
  postalCode: "",
  country: "",
  phone: "",
};

/** What the API is sent: each part trimmed, empty ones left out (the server says what is missing). */
export function addressInput(values: AddressValues): AddressInput {
  const input: AddressInput = {};
  for (const [field, value] of Object.entries(values) as [AddressField, string][]) {
    const trimmed = value.trim();
    if (trimmed !== "") input[field] = trimmed;
  }
  return input;
}

/** An address as one line: "Ada Lovelace, 1 Main St, Berlin 10115, Germany" (country by name). */
export function addressLine(address: PostalAddress, countryName: (code: string) => string): string {
  const place = [address.postalCode, address.city, address.region].filter(Boolean).join(" ");
  return [address.name, address.line1, address.line2, place, countryName(address.country)]
    .filter((part) => part !== null && part !== "")
    .join(", ");
}

/**
 * The messages of a problem's field errors that name a part of the address under `prefix`
 * (`shippingAddress.postalCode` → postalCode), as sentences for the visitor.
 */
export function addressErrors(
  fields: readonly { field: string; message: string }[],
  prefix: string,
): Partial<Record<AddressField, string>> {
  const errors: Partial<Record<AddressField, string>> = {};
  for (const { field, message } of fields) {
    if (!field.startsWith(`${prefix}.`)) continue;
    const part = field.slice(prefix.length + 1);
    if (part in EMPTY_ADDRESS) errors[part as AddressField] ??= sentence(message);
  }
  return errors;
}

/** "required" → "Required." */
export function sentence(message: string): string {
  const text = message.trim();
  if (text === "") return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
