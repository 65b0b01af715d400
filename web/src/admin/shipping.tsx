import { useEffect, useState } from "preact/hooks";
import { ApiError, asApiError } from "../api/problem.js";
import { Field } from "../components/field.js";
import { formatMoney } from "../format.js";
import { usePageTitle } from "../load.js";
import {
  getShippingSettings,
  type ShippingMethod,
  type ShippingSettings,
  type ShippingZone,
  saveShippingSettings,
} from "./admin-api.js";
import { Feedback } from "./feedback.js";
import { freshId, placeIn } from "./field-ids.js";
import { centsOf } from "./money-input.js";
import { CHECK_FIELDS, useOutcome, useSettingsDocument } from "./settings-document.js";
import { FormEnd, RowActions, SettingsPage } from "./settings-page.js";
import { TableScroll } from "./table-scroll.js";

const WHAT = "shipping settings";
/** The shop prices in USD (src/domain/money.ts), as the products' pages say. */
const CURRENCY = "USD";

type Save = (zones: ShippingZone[], methods: ShippingMethod[]) => Promise<ShippingSettings>;

const money = (cents: number) => formatMoney(cents, CURRENCY);
const amountText = (cents: number | undefined) =>
  cents === undefined ? "" : (cents / 100).toFixed(2);

/** "3–5 days", "from 3 days", "up to 5 days", or "—" when the method says nothing. */
function deliveryText({ minDeliveryDays: min, maxDeliveryDays: max }: ShippingMethod): string {
  const days = (n: number) => (n === 1 ? "1 day" : `${n} days`);
  if (min !== undefined && max !== undefined)
    return min === max ? days(min) : `${min}–${days(max)}`;
  if (min !== undefined) return `from ${days(min)}`;
  if (max !== undefined) return `up to ${days(max)}`;
  return "—";
}

/** "de, fr nl" as ["DE", "FR", "NL"]: upper-case, each once. */
const countryCodes = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .filter((code) => code !== "")
      .map((code) => code.toUpperCase()),
  ),
];

/** Puts the focus on input `id` once, when the form opens to edit (not to add). */
function useFocusWhenEditing(editing: boolean, id: string): void {
  useEffect(() => {
    if (editing) document.getElementById(id)?.focus();
  }, []);
}

function ZoneForm({
  settings,
  zone,
  save,
  onClose,
}: {
  settings: ShippingSettings;
  zone: ShippingZone | undefined;
  save: Save;
  onClose: () => void;
}) {
  const [name, setName] = useState(zone?.name ?? "");
  const [countries, setCountries] = useState(zone?.countries.join(", ") ?? "");
  const form = useOutcome(WHAT);
  useFocusWhenEditing(zone !== undefined, "zone-name");

  const submit = async (event: Event) => {
    event.preventDefault();
    form.clear();
    const codes = countryCodes(countries);
    const notCode = codes.find((code) => !/^[A-Z]{2}$/.test(code));
    const elsewhere = settings.zones.find(
      (other) => other.id !== zone?.id && other.countries.some((code) => codes.includes(code)),
    );
    const problem =
      codes.length === 0
        ? "at least one country, such as DE"
        : notCode !== undefined
          ? `${notCode} is not a two-letter country code, such as DE`
          : elsewhere !== undefined
            ? `${elsewhere.countries.filter((code) => codes.includes(code)).join(", ")} ` +
              `already in the zone ${elsewhere.name}: a country is in one zone only`
            : undefined;
    if (problem !== undefined) {
      return form.refuse(CHECK_FIELDS, { "zone-countries": problem });
    }
    const id =
      zone?.id ??
      freshId(
        name,
        settings.zones.map((other) => other.id),
        "zone",
      );
    const next: ShippingZone = { id, name: name.trim(), countries: codes };
    const zones =
      zone === undefined
        ? [...settings.zones, next]
        : settings.zones.map((other) => (other.id === zone.id ? next : other));
    try {
      await save(zones, settings.methods);
      form.succeed(
        zone === undefined
          ? `Added the zone ${next.name}: give it a shipping method below.`
          : `Saved the zone ${next.name}.`,
      );
      if (zone === undefined) {
        setName("");
        setCountries("");
      }
    } catch (failure) {
      const place = placeIn("zones", zones.indexOf(next), {
        id: "zone-name",
        name: "zone-name",
        countries: "zone-countries",
      });
      form.fail(namingCountries(failure, codes), place);
    }
  };

  const { outcome } = form;
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="zone-form"
    >
      <h2 id="zone-form">{zone === undefined ? "Add a zone" : `Edit the zone ${zone.name}`}</h2>
      <Field
        id="zone-name"
        label="Zone name"
        value={name}
        onValue={setName}
        required
        maxLength={80}
        error={outcome.fields["zone-name"]}
      />
      <Field
        id="zone-countries"
        label="Countries"
        value={countries}
        onValue={setCountries}
        required
        hint="Two-letter codes separated by commas, such as DE, FR, NL"
        error={outcome.fields["zone-countries"]}
      />
      <FormEnd kind="zone" editing={zone !== undefined} outcome={outcome} onClose={onClose} />
    </form>
  );
}

/** The refusal with the country code in each message about one of `codes` (`countries[2]`). */
function namingCountries(failure: unknown, codes: readonly string[]): ApiError {
  const error = asApiError(failure);
  const fields = error.fields.map(({ field, message }) => {
    const code = codes[Number(/\.countries\[(\d+)\]$/.exec(field)?.[1] ?? Number.NaN)];
    return { field, message: code === undefined ? message : `${code}: ${message}` };
  });
  return new ApiError({ ...error, fields });
}

const METHOD_INPUTS = {
  id: "method-name",
  name: "method-name",
  zoneId: "method-zone",
  priceCents: "method-price",
  freeAboveCents: "method-free-above",
  minDeliveryDays: "method-min-days",
  maxDeliveryDays: "method-max-days",
};

/** "" as undefined, whole days as a number, anything else as null. */
const optionalDays = (text: string): number | undefined | null => {
  if (text.trim() === "") return undefined;
  return /^\s*\d{1,3}\s*$/.test(text) ? Number(text) : null;
};

function MethodForm({
  settings,
  method,
  save,
  onClose,
}: {
  settings: ShippingSettings;
  method: ShippingMethod | undefined;
  save: Save;
  onClose: () => void;
}) {
  const [zoneId, setZoneId] = useState(method?.zoneId ?? settings.zones[0]?.id ?? "");
  const [name, setName] = useState(method?.name ?? "");
  const [price, setPrice] = useState(amountText(method?.priceCents));
  const [freeAbove, setFreeAbove] = useState(amountText(method?.freeAboveCents));
  const [minDays, setMinDays] = useState(method?.minDeliveryDays?.toString() ?? "");
  const [maxDays, setMaxDays] = useState(method?.maxDeliveryDays?.toString() ?? "");
  const form = useOutcome(WHAT);
  useFocusWhenEditing(method !== undefined, "method-zone");

  const submit = async (event: Event) => {
    event.preventDefault();
    form.clear();
    const priceCents = centsOf(price);
    const freeAboveCents = freeAbove.trim() === "" ? undefined : centsOf(freeAbove);
    const min = optionalDays(minDays);
    const max = optionalDays(maxDays);
    const wrong: Record<string, string> = {};
    if (priceCents === null) wrong["method-price"] = "an amount such as 5.99";
    if (freeAboveCents === null) wrong["method-free-above"] = "an amount such as 50.00, or empty";
    if (min === null) wrong["method-min-days"] = "whole days, such as 3, or empty";
    if (max === null) wrong["method-max-days"] = "whole days, such as 5, or empty";
    else if (max !== undefined && typeof min === "number" && max < min) {
      wrong["method-max-days"] = "at least the fastest delivery";
    }
    const refused = Object.keys(wrong).length > 0;
    if (refused || priceCents === null || freeAboveCents === null || min === null || max === null) {
      return form.refuse(CHECK_FIELDS, wrong);
    }
    const ids = settings.methods.map((other) => other.id);
    const next: ShippingMethod = {
      id: method?.id ?? freshId(`${zoneId} ${name}`, ids, "method"),
      zoneId,
      name: name.trim(),
      priceCents,
      ...(freeAboveCents === undefined ? {} : { freeAboveCents }),
      ...(min === undefined ? {} : { minDeliveryDays: min }),
      ...(max === undefined ? {} : { maxDeliveryDays: max }),
    };
    const methods =
      method === undefined
        ? [...settings.methods, next]
        : settings.methods.map((other) => (other.id === method.id ? next : other));
    try {
      await save(settings.zones, methods);
      form.succeed(
        method === undefined ? `Added the method ${next.name}.` : `Saved the method ${next.name}.`,
      );
      if (method === undefined) {
        setName("");
        setPrice("");
        setFreeAbove("");
        setMinDays("");
        setMaxDays("");
      }
    } catch (failure) {
      form.fail(failure, placeIn("methods", methods.indexOf(next), METHOD_INPUTS));
    }
  };

  const { outcome } = form;
  const zoneError = outcome.fields["method-zone"];
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="method-form"
    >
      <h2 id="method-form">
        {method === undefined ? "Add a shipping method" : `Edit the method ${method.name}`}
      </h2>
      <div class="field">
        <label for="method-zone">Zone</label>
        <select
          id="method-zone"
          value={zoneId}
          aria-invalid={zoneError === undefined ? undefined : true}
          aria-describedby={zoneError === undefined ? undefined : "method-zone-error"}
          onChange={(event) => setZoneId(event.currentTarget.value)}
        >
          {settings.zones.map((zone) => (
            <option key={zone.id} value={zone.id}>
              {zone.name}
            </option>
          ))}
        </select>
        {zoneError === undefined ? null : (
          <p id="method-zone-error" class="error">
            {zoneError}
          </p>
        )}
      </div>
      <Field
        id="method-name"
        label="Method name"
        value={name}
        onValue={setName}
        required
        maxLength={80}
        hint="What shoppers choose at checkout, such as Standard or Express"
        error={outcome.fields["method-name"]}
      />
      <Field
        id="method-price"
        label="Price (USD)"
        value={price}
        onValue={setPrice}
        inputMode="numeric"
        required
        hint="For example 5.99"
        error={outcome.fields["method-price"]}
      />
      <Field
        id="method-free-above"
        label="Free above (USD, optional)"
        value={freeAbove}
        onValue={setFreeAbove}
        inputMode="numeric"
        hint="Free when the goods cost at least this much after the discount"
        error={outcome.fields["method-free-above"]}
      />
      <Field
        id="method-min-days"
        label="Fastest delivery (working days, optional)"
        value={minDays}
        onValue={setMinDays}
        inputMode="numeric"
        error={outcome.fields["method-min-days"]}
      />
      <Field
        id="method-max-days"
        label="Slowest delivery (working days, optional)"
        value={maxDays}
        onValue={setMaxDays}
        inputMode="numeric"
        error={outcome.fields["method-max-days"]}
      />
      <FormEnd kind="method" editing={method !== undefined} outcome={outcome} onClose={onClose} />
    </form>
  );
}

export function ShippingSection() {
  usePageTitle("Admin: shipping");
  const { current, save, reload } = useSettingsDocument(getShippingSettings, "shipping");
  return (
    <SettingsPage
      id="admin-shipping"
      title="Shipping"
      what={WHAT}
      current={current}
      reload={reload}
    >
      {(settings: ShippingSettings) => (
        <ShippingSetup
          settings={settings}
          save={(zones, methods) =>
            save(() => saveShippingSettings({ zones, methods, version: settings.version }))
          }
        />
      )}
    </SettingsPage>
  );
}

/** The zones and methods as saved, with a form to add or edit each. */
function ShippingSetup({ settings, save: saveAll }: { settings: ShippingSettings; save: Save }) {
  const [zoneId, setZoneId] = useState<string | null>(null);
  const [methodId, setMethodId] = useState<string | null>(null);
  const removal = useOutcome(WHAT);
  const zone = settings.zones.find((candidate) => candidate.id === zoneId);
  const method = settings.methods.find((candidate) => candidate.id === methodId);
  const zoneName = (id: string) => settings.zones.find((z) => z.id === id)?.name ?? id;
  const methodsOf = (id: string) => settings.methods.filter((m) => m.zoneId === id);
  const methodItem = (m: ShippingMethod) => `the method ${m.name} of ${zoneName(m.zoneId)}`;

  // A form opened to edit takes the focus as it mounts; one already open takes it here.
  const editZone = (id: string) => {
    setZoneId(id);
    if (id === zoneId) document.getElementById("zone-name")?.focus();
  };
  const editMethod = (id: string) => {
    setMethodId(id);
    if (id === methodId) document.getElementById("method-zone")?.focus();
  };
  const remove = async (item: string, zones: ShippingZone[], methods: ShippingMethod[]) => {
    removal.clear();
    try {
      await saveAll(zones, methods);
      removal.succeed(`Removed ${item}.`);
    } catch (failure) {
      removal.fail(failure, () => undefined);
    }
  };
  const removeZone = (gone: ShippingZone) =>
    remove(
      `the zone ${gone.name} and its methods`,
      settings.zones.filter((z) => z.id !== gone.id),
      settings.methods.filter((m) => m.zoneId !== gone.id),
    );
  const removeMethod = (gone: ShippingMethod) =>
    remove(
      methodItem(gone),
      settings.zones,
      settings.methods.filter((m) => m.id !== gone.id),
    );

  return (
    <>
      <p class="muted">
        Each zone is a set of countries shipped to alike; a country is in one zone at most, and
        nothing ships to a country in none. Every change saves the whole setup at once.
      </p>
      <Feedback error={removal.outcome.error} done={removal.outcome.done} />
      <TableScroll label="Shipping zones">
        <table class="admin-table">
          <caption>Shipping zones, their countries and methods</caption>
          <thead>
            <tr>
              <th scope="col">Zone</th>
              <th scope="col">Countries</th>
              <th scope="col">Methods</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {settings.zones.map((z) => (
              <tr key={z.id} data-zone={z.id}>
                <th scope="row">{z.name}</th>
                <td>{z.countries.join(", ")}</td>
                <td>
                  {methodsOf(z.id)
                    .map((m) => m.name)
                    .join(", ") || "None: nothing ships there yet"}
                </td>
                <RowActions
                  item={`the zone ${z.name}`}
                  onEdit={() => editZone(z.id)}
                  onRemove={() => void removeZone(z)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {settings.zones.length === 0 ? <p>No zones: the shop ships nowhere.</p> : null}
      <ZoneForm
        key={zone?.id ?? "new"}
        settings={settings}
        zone={zone}
        save={saveAll}
        onClose={() => setZoneId(null)}
      />
      <TableScroll label="Shipping methods">
        <table class="admin-table">
          <caption>Shipping methods, with their prices and delivery times</caption>
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">Zone</th>
              <th scope="col">Price</th>
              <th scope="col">Free above</th>
              <th scope="col">Delivery</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {settings.methods.map((m) => (
              <tr key={m.id} data-method={m.id}>
                <th scope="row">{m.name}</th>
                <td>{zoneName(m.zoneId)}</td>
                <td data-price={m.id}>{money(m.priceCents)}</td>
                <td>{m.freeAboveCents === undefined ? "—" : money(m.freeAboveCents)}</td>
                <td>{deliveryText(m)}</td>
                <RowActions
                  item={methodItem(m)}
                  onEdit={() => editMethod(m.id)}
                  onRemove={() => void removeMethod(m)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {settings.zones.length === 0 ? (
        <p>Add a zone first: each method ships to the countries of one zone.</p>
      ) : (
        <MethodForm
          key={method?.id ?? "new"}
          settings={settings}
          method={method}
          save={saveAll}
          onClose={() => setMethodId(null)}
        />
      )}
    </>
  );
}
