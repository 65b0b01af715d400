import { isAdmin, session } from "../auth/session.js";
import { SignInNeeded } from "../components/sign-in-needed.js";
import { type AdminSection, adminPath } from "../router.js";
import { useStore } from "../state.js";
import { FulfilmentSection } from "./fulfilment.js";
import { OrdersSection } from "./orders.js";
import { PackingSlipSection } from "./packing-slip.js";
import { ProductSection } from "./product.js";
import { ProductsSection } from "./products.js";
import { PromotionsSection } from "./promotions.js";
import { ShippingSection } from "./shipping.js";
import { TaxSection } from "./tax.js";

const LINKS: [AdminSection, string][] = [
  ["products", "Products"],
  ["promotions", "Promotions"],
  ["orders", "Orders"],
  ["fulfilment", "Fulfilment"],
  ["shipping", "Shipping"],
  ["tax", "Tax"],
];

/** The operators' pages: shown to the `admin` group only (the API refuses anyone else too). */
export function AdminApp({ section, id }: { section: AdminSection; id?: string | undefined }) {
  const user = useStore(session);
  if (user === null) return <SignInNeeded next={adminPath(section, id)} what="the admin pages" />;
  if (!isAdmin(user)) {
    return (
      <section class="panel">
        <h1 tabIndex={-1}>Operators only</h1>
        <p>
          This account is not in the shop's <code>admin</code> group.{" "}
          <a href="/">Back to the shop</a>.
        </p>
      </section>
    );
  }
  const current =
    section === "product" ? "products" : section === "packing-slip" ? "orders" : section;
  return (
    <div class="admin">
      <nav aria-label="Admin" class="admin-nav">
        <ul>
          {LINKS.map(([name, label]) => (
            <li key={name}>
              <a href={adminPath(name)} aria-current={current === name ? "page" : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {section === "products" ? <ProductsSection /> : null}
      {section === "product" && id !== undefined ? <ProductSection id={id} /> : null}
      {section === "promotions" ? <PromotionsSection /> : null}
      {section === "orders" ? <OrdersSection /> : null}
      {section === "packing-slip" && id !== undefined ? <PackingSlipSection id={id} /> : null}
      {section === "fulfilment" ? <FulfilmentSection /> : null}
      {section === "shipping" ? <ShippingSection /> : null}
      {section === "tax" ? <TaxSection /> : null}
    </div>
  );
}
