import { listProducts } from "../api/store-api.js";
import type { Product } from "../api/types.js";
import { cart, quantities } from "../cart/cart-store.js";
import { AddToCart } from "../components/add-to-cart.js";
import { usePages } from "../components/more-pages.js";
import { ProblemView } from "../components/problem-view.js";
import { RatingSummary } from "../components/stars.js";
import { StockState } from "../components/stock.js";
import { formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { useStore } from "../state.js";

function Card({ product, inCart }: { product: Product; inCart: number }) {
  const href = `/item/${encodeURIComponent(product.id)}`;
  return (
    <li class="card">
      <img class="card-image" src={product.imageUrl} alt="" width="320" height="240" />
      <div class="card-body">
        <h2 class="card-title">
          <a href={href}>{product.name}</a>
        </h2>
        <p class="price">{formatMoney(product.priceCents, product.currency)}</p>
        <RatingSummary rating={product.rating} />
        <StockState stock={product.stock} />
        <AddToCart product={product} inCart={inCart} />
      </div>
    </li>
  );
}

export function CataloguePage() {
  usePageTitle("");
  const [products, reload] = useLoad(() => listProducts(), "catalogue");
  const pages = usePages(products.state === "ready" ? products.value : undefined, listProducts);
  const inCart = quantities(useStore(cart));

  return (
    <>
      <div class="intro">
        <h1 tabIndex={-1}>Small things, made with care</h1>
        <p class="muted">Handmade goods for desks, shelves and kitchens. Prices in US dollars.</p>
      </div>
      {products.state === "loading" ? (
        <p aria-busy="true">Loading the catalogue…</p>
      ) : products.state === "error" ? (
        <ProblemView error={products.error} onRetry={reload} />
      ) : (
        <>
          <ul class="cards" aria-label="Products">
            {pages.items.map((product) => (
              <Card key={product.id} product={product} inCart={inCart.get(product.id) ?? 0} />
            ))}
          </ul>
          {pages.more}
        </>
      )}
    </>
  );
}
