import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { Field } from "../components/field.js";
import { ProblemView } from "../components/problem-view.js";
import { formatDate } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { createPromotion, deactivatePromotion, listPromotions } from "./admin-api.js";
import { Feedback } from "./feedback.js";
import { TableScroll } from "./table-scroll.js";

const optionalCount = (text: string): number | undefined | null => {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : null;
};

function NewPromotionForm({ onCreated }: { onCreated: () => void }) {
  const [code, setCode] = useState("");
  const [percent, setPercent] = useState("10");
  const [until, setUntil] = useState("");
  const [maxUses, setMaxUses] = useState("");
  const [perCustomer, setPerCustomer] = useState("");
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone("");
    const percentOff = Number(percent);
    const total = optionalCount(maxUses);
    const each = optionalCount(perCustomer);
    if (!Number.isInteger(percentOff) || percentOff < 1 || percentOff > 100) {
      return setError("The discount is a whole percentage from 1 to 100.");
    }
    if (total === null || each === null) return setError("Limits are whole numbers above 0.");
    const validUntil = until === "" ? undefined : new Date(`${until}T23:59:59`).toISOString();
    try {
      await createPromotion({
        code,
        percentOff,
        ...(validUntil === undefined ? {} : { validUntil }),
        ...(total === undefined ? {} : { maxUses: total }),
        ...(each === undefined ? {} : { maxUsesPerCustomer: each }),
      });
      setDone(`Created ${code.toUpperCase()}.`);
      setCode("");
      onCreated();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-promotion"
    >
      <h2 id="new-promotion">New promotion code</h2>
      <Field
        id="promotion-code"
        label="Code"
        value={code}
        onValue={setCode}
        required
        maxLength={32}
      />
      <Field
        id="promotion-percent"
        label="Percent off"
        value={percent}
        onValue={setPercent}
        inputMode="numeric"
        required
      />
      <div class="field">
        <label for="promotion-until">Valid until (optional)</label>
        <input
          id="promotion-until"
          type="date"
          value={until}
          onInput={(event) => setUntil(event.currentTarget.value)}
        />
      </div>
      <Field
        id="promotion-max"
        label="Uses in all (optional)"
        value={maxUses}
        onValue={setMaxUses}
        inputMode="numeric"
      />
      <Field
        id="promotion-each"
        label="Uses per customer (optional)"
        value={perCustomer}
        onValue={setPerCustomer}
        inputMode="numeric"
      />
      <button type="submit" class="button button-primary">
        Create code
      </button>
      <Feedback error={error} done={done} />
    </form>
  );
}

export function PromotionsSection() {
  usePageTitle("Admin: promotions");
  const [round, setRound] = useState(0);
  const [promotions, reload] = useLoad(listPromotions, `promotions-${round}`);
  const [error, setError] = useState<ApiError | null>(null);
  const again = () => setRound((value) => value + 1);
  const deactivate = async (code: string) => {
    setError(null);
    try {
      await deactivatePromotion(code);
      again();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <section aria-labelledby="admin-promotions">
      <h1 id="admin-promotions" tabIndex={-1}>
        Promotions
      </h1>
      {error === null ? null : <ProblemView error={error} />}
      {promotions.state === "loading" ? <p aria-busy="true">Loading the codes…</p> : null}
      {promotions.state === "error" ? (
        <ProblemView error={promotions.error} onRetry={reload} />
      ) : null}
      {promotions.state === "ready" ? (
        <TableScroll label="Promotion codes">
          <table class="admin-table">
            <caption>Promotion codes and how often they were used</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Off</th>
                <th scope="col">Valid until</th>
                <th scope="col">Used</th>
                <th scope="col">Per customer</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {promotions.value.map((promotion) => (
                <tr key={promotion.code}>
                  <th scope="row">{promotion.code}</th>
                  <td>{promotion.percentOff}%</td>
                  <td>{promotion.validUntil === null ? "—" : formatDate(promotion.validUntil)}</td>
                  <td>
                    {promotion.uses}
                    {promotion.maxUses === null ? "" : ` of ${promotion.maxUses}`}
                  </td>
                  <td>{promotion.maxUsesPerCustomer ?? "—"}</td>
                  <td>
                    {promotion.active ? (
                      <button
                        type="button"
                        class="link-button"
                        onClick={() => void deactivate(promotion.code)}
                      >
                        Deactivate<span class="visually-hidden"> {promotion.code}</span>
                      </button>
                    ) : (
                      "Inactive"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <NewPromotionForm onCreated={again} />
    </section>
  );
}
