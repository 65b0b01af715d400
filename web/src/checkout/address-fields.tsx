import { useMemo } from "preact/hooks";
import { describedBy, Field, FieldError } from "../components/field.js";
import type { AddressField, AddressValues } from "./address-values.js";
import { countryOptions } from "./countries.js";

/**
 * An address's inputs, labelled, with the browser's autofill names and each field's error from
 * the API beside it. `section` is "shipping" or "billing": it makes the ids and, for billing,
 * tells autofill the second address apart from the first.
 */
export function AddressFields({
  section,
  values,
  errors,
  onChange,
}: {
  section: "shipping" | "billing";
  values: AddressValues;
  errors: Partial<Record<AddressField, string>>;
  onChange: (field: AddressField, value: string) => void;
}) {
  const id = (field: AddressField) => `${section}-${field}`;
  // Plain tokens for the shipping address; the billing one says so, or autofill fills both alike.
  const auto = (token: string) => (section === "billing" ? `billing ${token}` : token);
  const text = (
    field: AddressField,
    label: string,
    autocomplete: string,
    extra: { required?: boolean; hint?: string; type?: "tel"; maxLength?: number } = {},
  ) => (
    <Field
      id={id(field)}
      label={label}
      value={values[field]}
      onValue={(value) => onChange(field, value)}
      autocomplete={auto(autocomplete)}
      error={errors[field]}
      {...extra}
    />
  );
  const countries = useMemo(countryOptions, []);
  const countryId = id("country");
  return (
    <div class="address-fields">
      {text("name", "Full name", "name", { required: true, maxLength: 100 })}
      {text("line1", "Address line 1", "address-line1", { required: true, maxLength: 100 })}
      {text("line2", "Address line 2 (optional)", "address-line2", { maxLength: 100 })}
      <div class="field-pair">
        {text("city", "City", "address-level2", { required: true, maxLength: 100 })}
        {text("postalCode", "Postal code", "postal-code", { maxLength: 20 })}
      </div>
      {text("region", "State, province or region", "address-level1", {
        hint: "In the US, the state's two-letter code, such as CA.",
        maxLength: 100,
      })}
      <div class={errors.country === undefined ? "field" : "field field-invalid"}>
        <label for={countryId}>Country</label>
        <select
          id={countryId}
          autocomplete={auto("country")}
          required
          value={values.country}
          aria-invalid={errors.country === undefined ? undefined : true}
          aria-describedby={describedBy(countryId, undefined, errors.country)}
          onChange={(event) => onChange("country", event.currentTarget.value)}
        >
          <option value="">Choose a country</option>
          {countries.map((country) => (
            <option key={country.code} value={country.code}>
              {country.name}
            </option>
          ))}
        </select>
        <FieldError id={countryId} error={errors.country} />
      </div>
      {section === "shipping"
        ? text("phone", "Phone (optional)", "tel", {
            type: "tel",
            hint: "Only for the carrier, if they need to reach you.",
            maxLength: 20,
          })
        : null}
    </div>
  );
}
