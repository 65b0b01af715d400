import type { ComponentType } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Header } from "./components/header.js";
import { BasketPage } from "./pages/basket.js";
import { CataloguePage } from "./pages/catalogue.js";
import { GuestOrderPage } from "./pages/guest-order.js";
import { NotFoundPage } from "./pages/not-found.js";
import { OrderPage } from "./pages/order.js";
import { OrdersPage } from "./pages/orders.js";
import { ProductPage } from "./pages/product.js";
import { SignInPage } from "./pages/sign-in.js";
import { SignUpPage } from "./pages/sign-up.js";
import { type AdminSection, location, matchRoute, type Route } from "./router.js";
import { useStore } from "./state.js";

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case "catalogue":
      return <CataloguePage />;
    case "product":
      return <ProductPage id={route.id} />;
    case "basket":
      return <BasketPage />;
    case "sign-in":
      return <SignInPage />;
    case "sign-up":
      return <SignUpPage />;
    case "orders":
      return <OrdersPage />;
    case "order":
      return <OrderPage id={route.id} />;
    case "guest-order":
      return <GuestOrderPage id={route.id} />;
    case "admin":
      return <AdminLoader section={route.section} id={route.id} />;
    case "not-found":
      return <NotFoundPage />;
  }
}

type AdminProps = { section: AdminSection; id?: string | undefined };

/**
 * The operators' pages, loaded on first visit with a dynamic import: shoppers never download
 * them, and the catalogue page keeps its JavaScript budget.
 */
function AdminLoader(props: AdminProps) {
  const [Admin, setAdmin] = useState<ComponentType<AdminProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./admin/admin-app.js").then(
      (module) => setAdmin(() => module.AdminApp),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p role="alert">The admin pages could not be loaded. Reload to try again.</p>;
  if (Admin === null) return <p aria-busy="true">Loading the admin pages…</p>;
  return <Admin {...props} />;
}

export function App() {
  const { path } = useStore(location);
  const route = matchRoute(path);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After an in-page navigation, start at the top and move focus to the new page, as a full
  // page load would; screen readers then announce where the visitor landed.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus();
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header path={path} />
      <main id="main" ref={main} tabIndex={-1}>
        <Page key={path} route={route} />
      </main>
      <footer class="site-footer">
        <p>
          serverless-store · an open-source shop on AWS Lambda · <a href="/openapi.json">API</a>
        </p>
      </footer>
    </>
  );
}
