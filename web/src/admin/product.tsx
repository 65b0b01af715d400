import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { Field } from "../components/field.js";
import { ProblemView } from "../components/problem-view.js";
import { formatDate, formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { adminPath } from "../router.js";
import {
  adjustStock,
  archiveProduct,
  listAdjustments,
  listProducts,
  type ManagedProduct,
  updateProduct,
} from "./admin-api.js";
import { Feedback } from "./feedback.js";
import { centsOf } from "./money-input.js";
import { TableScroll } from "./table-scroll.js";

const REASONS = ["restock", "returned", "correction", "damaged", "lost"] as const;

function EditForm({ product, onSaved }: { product: ManagedProduct; onSaved: () => void }) {
  const [name, setName] = useState(product.name);
  const [price, setPrice] = useState((product.priceCents / 100).toFixed(2));
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState("");
  const save = async (event: Event) => {
    event.preventDefault();
    setDone("");
    setError(null);
    const priceCents = centsOf(price);
    if (priceCents === null) return setError("The price must be an amount such as 12.50.");
    try {
      await updateProduct(product.id, { name, priceCents });
      setDone("Saved: carts show the new price at once.");
      onSaved();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  const archive = async () => {
    setDone("");
    setError(null);
    try {
      await archiveProduct(product.id);
      setDone("Archived: the product left the catalogue; past orders keep it.");
      onSaved();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void save(event)}
      aria-labelledby="edit-product"
    >
      <h2 id="edit-product">Details</h2>
      <Field id="edit-name" label="Name" value={name} onValue={setName} required maxLength={120} />
      <Field
        id="edit-price"
        label="Price (USD)"
        value={price}
        onValue={setPrice}
        inputMode="numeric"
        required
      />
      <button type="submit" class="button button-primary">
        Save
      </button>{" "}
      {product.archived ? null : (
        <button type="button" class="button" onClick={() => void archive()}>
          Archive
        </button>
      )}
      <Feedback error={error} done={done} />
    </form>
  );
}

function AdjustForm({ product, onAdjusted }: { product: ManagedProduct; onAdjusted: () => void }) {
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<(typeof REASONS)[number]>("restock");
  const [note, setNote] = useState("");
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone("");
    setError(null);
    const units = Number(delta);
    if (!Number.isInteger(units) || units === 0)
      return setError("Give a whole number of units, such as 5 or -2.");
    try {
      const made = await adjustStock(product.id, {
        delta: units,
        reason,
        ...(note.trim() === "" ? {} : { note: note.trim() }),
      });
      setDone(`Stock is now ${made.stockAfter}.`);
      setDelta("");
      setNote("");
      onAdjusted();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="adjust-stock"
    >
      <h2 id="adjust-stock">Adjust the stock</h2>
      <p>
        In stock: <strong data-stock={product.id}>{product.stock}</strong>
      </p>
      <Field
        id="adjust-delta"
        label="Units (+ received, − written off)"
        value={delta}
        onValue={setDelta}
        required
      />
      <div class="field">
        <label for="adjust-reason">Reason</label>
        <select
          id="adjust-reason"
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value as (typeof REASONS)[number])}
        >
          {REASONS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      <Field
        id="adjust-note"
        label="Note (optional)"
        value={note}
        onValue={setNote}
        maxLength={500}
      />
      <button type="submit" class="button button-primary">
        Record adjustment
      </button>
      <Feedback error={error} done={done} />
    </form>
  );
}

function History({ productId, round }: { productId: string; round: number }) {
  const [page, reload] = useLoad(() => listAdjustments(productId), `${productId}-${round}`);
  if (page.state === "loading") return <p aria-busy="true">Loading the history…</p>;
  if (page.state === "error") return <ProblemView error={page.error} onRetry={reload} />;
  if (page.value.items.length === 0) return <p>No adjustments yet.</p>;
  return (
    <TableScroll label="Stock adjustments">
      <table class="admin-table">
        <caption>Stock adjustments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Units</th>
            <th scope="col">Reason</th>
            <th scope="col">By</th>
            <th scope="col">Stock after</th>
          </tr>
        </thead>
        <tbody>
          {page.value.items.map((entry) => (
            <tr key={entry.id}>
              <td>{formatDate(entry.createdAt)}</td>
              <td>{entry.delta > 0 ? `+${entry.delta}` : entry.delta}</td>
              <td>
                {entry.reason}
                {entry.note === null ? "" : ` — ${entry.note}`}
              </td>
              <td>{entry.actor}</td>
              <td>{entry.stockAfter}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function ProductSection({ id }: { id: string }) {
  const [round, setRound] = useState(0);
  // Reloaded in place after a change: the forms stay, with what they just said.
  const [products, reload] = useLoad(listProducts, `product-${id}`);
  const product = products.state === "ready" ? products.value.find((p) => p.id === id) : undefined;
  usePageTitle(product === undefined ? "Admin: product" : `Admin: ${product.name}`);
  const again = () => {
    reload();
    setRound((value) => value + 1);
  };
  if (products.state === "loading") return <p aria-busy="true">Loading the product…</p>;
  if (products.state === "error") return <ProblemView error={products.error} onRetry={reload} />;
  if (product === undefined) return <h1 tabIndex={-1}>No product {id}</h1>;
  return (
    <section aria-labelledby="admin-product">
      <p class="crumbs">
        <a href={adminPath("products")}>
          <span aria-hidden="true">← </span>Products
        </a>
      </p>
      <h1 id="admin-product" tabIndex={-1}>
        {product.name}
      </h1>
      <p class="muted">
        {formatMoney(product.priceCents, product.currency)}
        {product.archived ? " · archived" : ""}
      </p>
      <EditForm product={product} onSaved={again} />
      <AdjustForm product={product} onAdjusted={again} />
      <History productId={product.id} round={round} />
    </section>
  );
}
