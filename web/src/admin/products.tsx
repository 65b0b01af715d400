import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { Field } from "../components/field.js";
import { ProblemView } from "../components/problem-view.js";
import { formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { adminPath } from "../router.js";
import { createProduct, figures, listProducts, uploadImage } from "./admin-api.js";
import { Feedback } from "./feedback.js";
import { centsOf } from "./money-input.js";
import { TableScroll } from "./table-scroll.js";

const IMAGE_TYPES = "image/png,image/jpeg,image/webp";
const MAX_IMAGE_BYTES = 1024 * 1024;

function NewProductForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [price, setPrice] = useState("");
  const [stock, setStock] = useState("0");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone("");
    const priceCents = centsOf(price);
    const units = Number(stock);
    if (priceCents === null) return setError("The price must be an amount such as 12.50.");
    if (!Number.isInteger(units) || units < 0) return setError("The stock must be a whole number.");
    if (file === null) return setError("Choose an image.");
    if (file.size > MAX_IMAGE_BYTES) return setError("The image must be at most 1 MiB.");
    setBusy(true);
    try {
      const imageUrl = await uploadImage(file);
      const product = await createProduct({
        name,
        description,
        priceCents,
        imageUrl,
        stock: units,
      });
      setDone(`Added ${product.name}.`);
      setName("");
      setDescription("");
      setPrice("");
      setStock("0");
      setFile(null);
      (event.target as HTMLFormElement).reset();
      onCreated();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-product"
    >
      <h2 id="new-product">Add a product</h2>
      <Field
        id="product-name"
        label="Name"
        value={name}
        onValue={setName}
        required
        maxLength={120}
      />
      <div class="field">
        <label for="product-description">Description</label>
        <textarea
          id="product-description"
          value={description}
          maxLength={2000}
          rows={3}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </div>
      <Field
        id="product-price"
        label="Price (USD)"
        value={price}
        onValue={setPrice}
        inputMode="numeric"
        required
        hint="For example 24.00"
      />
      <Field
        id="product-stock"
        label="Initial stock"
        value={stock}
        onValue={setStock}
        inputMode="numeric"
        required
      />
      <div class="field">
        <label for="product-image">Image</label>
        <input
          id="product-image"
          type="file"
          accept={IMAGE_TYPES}
          required
          aria-describedby="product-image-hint"
          onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
        />
        <p id="product-image-hint" class="hint">
          PNG, JPEG or WebP, at most 1 MiB.
        </p>
      </div>
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? "Adding…" : "Add product"}
      </button>
      <Feedback error={error} done={done} />
    </form>
  );
}

export function ProductsSection() {
  usePageTitle("Admin: products");
  const [round, setRound] = useState(0);
  const [products, reload] = useLoad(
    () => Promise.all([listProducts(), figures()]),
    `products-${round}`,
  );
  return (
    <section aria-labelledby="admin-products">
      <h1 id="admin-products" tabIndex={-1}>
        Products
      </h1>
      {products.state === "loading" ? <p aria-busy="true">Loading the products…</p> : null}
      {products.state === "error" ? <ProblemView error={products.error} onRetry={reload} /> : null}
      {products.state === "ready" ? (
        <TableScroll label="Products">
          <table class="admin-table">
            <caption>Every product with its stock, units in shoppers' carts and units sold</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
                <th scope="col">In carts</th>
                <th scope="col">Sold 24 h</th>
                <th scope="col">Sold 7 d</th>
              </tr>
            </thead>
            <tbody>
              {products.value[0].map((product) => {
                const figure = products.value[1].products.find((f) => f.id === product.id);
                return (
                  <tr key={product.id}>
                    <th scope="row">
                      <a href={adminPath("product", product.id)}>{product.name}</a>
                      {product.archived ? <span class="badge badge-failed"> Archived</span> : null}
                    </th>
                    <td>{formatMoney(product.priceCents, product.currency)}</td>
                    <td data-stock={product.id}>{product.stock}</td>
                    <td>{figure?.unitsInCarts ?? "—"}</td>
                    <td>{figure?.unitsSold24h ?? "—"}</td>
                    <td>{figure?.unitsSold7d ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <NewProductForm onCreated={() => setRound((value) => value + 1)} />
    </section>
  );
}
