import { render } from "preact";
import { configureHttp } from "./api/http.js";
import { App } from "./app.js";
import { configureCognito } from "./auth/cognito.js";
import { accessToken, session, startSession } from "./auth/session.js";
import { adoptGuestCart, loadCart } from "./cart/cart-store.js";
import { loadConfig, type StoreConfig } from "./config.js";
import { clearNotices, startBell } from "./live/bell.js";
import { configureGuestUpdates, connectUpdates, disconnectUpdates } from "./live/order-updates.js";
import { startRouter } from "./router.js";

function start(config: StoreConfig, root: HTMLElement): void {
  configureHttp({ apiUrl: config.apiUrl, accessToken });
  configureCognito({ endpoint: config.cognitoEndpoint, clientId: config.userPoolClientId });
  configureGuestUpdates(config.websocketUrl);
  startRouter();
  startSession();
  startBell();

  let signedIn = session.get() !== null;
  const follow = () => {
    if (session.get() === null) {
      disconnectUpdates();
      clearNotices();
    } else {
      connectUpdates(config.websocketUrl, accessToken);
    }
  };
  session.subscribe((current) => {
    // A refresh replaces the session object; only signing in or out changes the socket and cart.
    if ((current !== null) === signedIn) return;
    signedIn = current !== null;
    follow();
    void loadCart().catch(() => undefined);
  });
  follow();
  // A guest token left from before a sign-in whose merge failed is merged now.
  void (signedIn ? adoptGuestCart() : loadCart()).catch(() => undefined);

  render(<App />, root);
}

function fail(root: HTMLElement, error: unknown): void {
  const box = document.createElement("div");
  box.className = "problem";
  box.setAttribute("role", "alert");
  const title = document.createElement("h1");
  title.textContent = "The shop could not start";
  const detail = document.createElement("p");
  detail.textContent = error instanceof Error ? error.message : String(error);
  box.append(title, detail);
  root.replaceChildren(box);
}

const root = document.getElementById("app");
if (root !== null) {
  loadConfig().then(
    (config) => start(config, root),
    (error: unknown) => fail(root, error),
  );
}
