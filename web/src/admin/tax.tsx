import { useEffect, useState } from "preact/hooks";
import { Field } from "../components/field.js";
import { usePageTitle } from "../load.js";
import { getTaxSettings, saveTaxSettings, type TaxRate, type TaxSettings } from "./admin-api.js";
import { Feedback } from "./feedback.js";
import { placeIn } from "./field-ids.js";
import { percentOf, ppmOf } from "./percent-input.js";
import { CHECK_FIELDS, useOutcome, useSettingsDocument } from "./settings-document.js";
import { FormEnd, RowActions, SettingsPage } from "./settings-page.js";
import { TableScroll } from "./table-scroll.js";

const WHAT = "tax settings";

type Save = (changes: Partial<Omit<TaxSettings, "version" | "updatedAt">>) => Promise<TaxSettings>;

/** Where a rate applies: `DE`, or `US-CA` for a region's rate on top of its country's. */
const placeOf = (rate: { country: string; region?: string | undefined }) =>
  rate.region === undefined ? rate.country : `${rate.country}-${rate.region}`;

function ModeForm({ settings, save }: { settings: TaxSettings; save: Save }) {
  const [mode, setMode] = useState(settings.mode);
  const [taxShipping, setTaxShipping] = useState(settings.taxShipping);
  const form = useOutcome(WHAT);
  const submit = async (event: Event) => {
    event.preventDefault();
    form.clear();
    try {
      await save({ mode, taxShipping });
      form.succeed("Saved the tax settings.");
    } catch (failure) {
      form.fail(failure, (field) =>
        field === "mode" ? "tax-inclusive" : field === "taxShipping" ? "tax-shipping" : undefined,
      );
    }
  };
  const choice = (value: TaxSettings["mode"], label: string, hint: string) => (
    <div class="choice">
      <input
        type="radio"
        id={`tax-${value}`}
        name="tax-mode"
        value={value}
        checked={mode === value}
        aria-describedby={`tax-${value}-hint`}
        onChange={() => setMode(value)}
      />
      <label for={`tax-${value}`}>{label}</label>
      <p id={`tax-${value}-hint`} class="hint">
        {hint}
      </p>
    </div>
  );
  const { outcome } = form;
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="tax-mode-form"
    >
      <h2 id="tax-mode-form">How prices show tax</h2>
      <fieldset class="choices">
        <legend>Prices</legend>
        {choice("inclusive", "Include tax", "The price shown is what the shopper pays (EU style).")}
        {choice("exclusive", "Exclude tax", "Tax is added at checkout (US style).")}
      </fieldset>
      <div class="choice">
        <input
          type="checkbox"
          id="tax-shipping"
          checked={taxShipping}
          aria-describedby="tax-shipping-hint"
          onChange={(event) => setTaxShipping(event.currentTarget.checked)}
        />
        <label for="tax-shipping">Tax shipping</label>
        <p id="tax-shipping-hint" class="hint">
          The shipping price is taxed at the address's rates, like the goods.
        </p>
      </div>
      <button type="submit" class="button button-primary">
        Save tax settings
      </button>
      <Feedback error={outcome.error} done={outcome.done} />
    </form>
  );
}

const RATE_INPUTS = {
  country: "rate-country",
  region: "rate-region",
  label: "rate-label",
  ratePpm: "rate-percent",
};

function RateForm({
  settings,
  rate,
  save,
  onSaved,
  onClose,
}: {
  settings: TaxSettings;
  rate: TaxRate | undefined;
  save: Save;
  /** Told where an edited rate applies now, which its country or region may have changed. */
  onSaved: (place: string) => void;
  onClose: () => void;
}) {
  const [country, setCountry] = useState(rate?.country ?? "");
  const [region, setRegion] = useState(rate?.region ?? "");
  const [label, setLabel] = useState(rate?.label ?? "");
  const [percent, setPercent] = useState(rate === undefined ? "" : percentOf(rate.ratePpm));
  const form = useOutcome(WHAT);
  useEffect(() => {
    if (rate !== undefined) document.getElementById("rate-country")?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    form.clear();
    const ratePpm = ppmOf(percent);
    const next: TaxRate = {
      country: country.trim().toUpperCase(),
      ...(region.trim() === "" ? {} : { region: region.trim().toUpperCase() }),
      label: label.trim(),
      ratePpm: ratePpm ?? 0,
    };
    const place = placeOf(next);
    const taken = settings.rates.some((other) => other !== rate && placeOf(other) === place);
    const wrong: Record<string, string> = {};
    if (!/^[A-Z]{2}$/.test(next.country)) {
      wrong["rate-country"] = "a two-letter country code, such as DE";
    } else if (taken) {
      wrong[next.region === undefined ? "rate-country" : "rate-region"] =
        `${place} has a rate already: edit that one`;
    }
    if (ratePpm === null) wrong["rate-percent"] = "a percentage from 0 to 100, such as 19 or 9.975";
    if (Object.keys(wrong).length > 0) return form.refuse(CHECK_FIELDS, wrong);
    const rates =
      rate === undefined
        ? [...settings.rates, next]
        : settings.rates.map((other) => (other === rate ? next : other));
    try {
      await save({ rates });
      if (rate !== undefined) onSaved(place);
      form.succeed(
        rate === undefined
          ? `Added the rate for ${place}.`
          : `Saved the rate for ${place}: ${percentOf(next.ratePpm)}%.`,
      );
      if (rate === undefined) {
        setCountry("");
        setRegion("");
        setLabel("");
        setPercent("");
      }
    } catch (failure) {
      form.fail(failure, placeIn("rates", rates.indexOf(next), RATE_INPUTS));
    }
  };

  const { outcome } = form;
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="rate-form"
    >
      <h2 id="rate-form">
        {rate === undefined ? "Add a rate" : `Edit the rate for ${placeOf(rate)}`}
      </h2>
      <Field
        id="rate-country"
        label="Country"
        value={country}
        onValue={setCountry}
        required
        maxLength={2}
        hint="Two letters, such as DE"
        error={outcome.fields["rate-country"]}
      />
      <Field
        id="rate-region"
        label="Region (optional)"
        value={region}
        onValue={setRegion}
        maxLength={3}
        hint="A US state, Canadian province or Australian state, such as CA or QC: its rate applies on top of the country's"
        error={outcome.fields["rate-region"]}
      />
      <Field
        id="rate-label"
        label="Label"
        value={label}
        onValue={setLabel}
        required
        maxLength={40}
        hint="What the order and the receipt call it, such as VAT or GST"
        error={outcome.fields["rate-label"]}
      />
      <Field
        id="rate-percent"
        label="Rate (%)"
        value={percent}
        onValue={setPercent}
        inputMode="numeric"
        required
        hint="For example 19 or 9.975"
        error={outcome.fields["rate-percent"]}
      />
      <FormEnd kind="rate" editing={rate !== undefined} outcome={outcome} onClose={onClose} />
    </form>
  );
}

export function TaxSection() {
  usePageTitle("Admin: tax");
  const { current, save, reload } = useSettingsDocument(getTaxSettings, "tax");
  return (
    <SettingsPage id="admin-tax" title="Tax" what={WHAT} current={current} reload={reload}>
      {(settings: TaxSettings) => (
        <TaxSetup
          settings={settings}
          save={(changes) => {
            const { rates, mode, taxShipping, version } = { ...settings, ...changes };
            return save(() => saveTaxSettings({ rates, mode, taxShipping, version }));
          }}
        />
      )}
    </SettingsPage>
  );
}

/** How prices show tax, and the rates as saved, with a form to add or edit each. */
function TaxSetup({ settings, save: saveAll }: { settings: TaxSettings; save: Save }) {
  const [editing, setEditing] = useState<string | null>(null);
  // Each Edit opens the form afresh, and it stays open when its rate moves to another place.
  const [opened, setOpened] = useState(0);
  const removal = useOutcome(WHAT);
  const rate = settings.rates.find((candidate) => placeOf(candidate) === editing);

  // A form opened to edit takes the focus as it mounts; one already open takes it here.
  const edit = (place: string) => {
    if (place === editing) document.getElementById("rate-country")?.focus();
    else {
      setEditing(place);
      setOpened((value) => value + 1);
    }
  };
  const remove = async (gone: TaxRate) => {
    removal.clear();
    try {
      await saveAll({ rates: settings.rates.filter((other) => other !== gone) });
      removal.succeed(`Removed the rate for ${placeOf(gone)}.`);
    } catch (failure) {
      removal.fail(failure, () => undefined);
    }
  };

  return (
    <>
      <p class="muted">
        A country's rate applies to every address there; a region's rate applies on top of it, as
        its own line on the order. Where the shop has no rate, it collects no tax.
      </p>
      <ModeForm settings={settings} save={saveAll} />
      <Feedback error={removal.outcome.error} done={removal.outcome.done} />
      <TableScroll label="Tax rates">
        <table class="admin-table">
          <caption>Tax rates by country and region</caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">Region</th>
              <th scope="col">Label</th>
              <th scope="col">Rate</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {settings.rates.map((r) => (
              <tr key={placeOf(r)} data-rate={placeOf(r)}>
                <th scope="row">{r.country}</th>
                <td>{r.region ?? "—"}</td>
                <td>{r.label}</td>
                <td>{percentOf(r.ratePpm)}%</td>
                <RowActions
                  item={`the rate for ${placeOf(r)}`}
                  onEdit={() => edit(placeOf(r))}
                  onRemove={() => void remove(r)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {settings.rates.length === 0 ? <p>No rates: the shop collects no tax.</p> : null}
      <RateForm
        key={rate === undefined ? "new" : `edit-${opened}`}
        settings={settings}
        rate={rate}
        save={saveAll}
        onSaved={setEditing}
        onClose={() => setEditing(null)}
      />
    </>
  );
}
