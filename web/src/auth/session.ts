import { createStore } from "../state.js";
import {
  type AuthenticationResult,
  CognitoError,
  getUser,
  passwordAuth,
  refreshAuth,
} from "./cognito.js";

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  /** How long the access token lives, in milliseconds. */
  lifetimeMs: number;
  email: string;
  name: string;
}

// sessionStorage, not localStorage: the tokens (the refresh token lives for days) then go when
// the tab closes, and a token lifted by injected script is not waiting in every later visit.
// Signing in again in a new tab is the price, an acceptable one for a shop. The guest-cart
// token, worth nothing beyond a cart, stays in localStorage (cart/guest-token.ts).
const KEY = "store.session";
// Refresh a minute before expiry (a quarter of the lifetime for short-lived tokens, so a token
// that lives less than a minute is not refreshed in a loop): a request never leaves with a token
// about to lapse.
const REFRESH_MARGIN_MS = 60_000;
const MIN_REFRESH_DELAY_MS = 5_000;
const margin = (current: Session) => Math.min(REFRESH_MARGIN_MS, current.lifetimeMs / 4);

function read(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (raw === null) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.accessToken !== "string" || typeof value.refreshToken !== "string")
      return null;
    if (typeof value.expiresAt !== "number") return null;
    return {
      accessToken: value.accessToken,
      refreshToken: value.refreshToken,
      expiresAt: value.expiresAt,
      lifetimeMs: typeof value.lifetimeMs === "number" ? value.lifetimeMs : 3_600_000,
      email: value.email ?? "",
      name: value.name ?? "",
    };
  } catch {
    return null;
  }
}

export const session = createStore<Session | null>(read());

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<Session | null> | undefined;

function store(next: Session | null): void {
  if (next === null) window.sessionStorage.removeItem(KEY);
  else window.sessionStorage.setItem(KEY, JSON.stringify(next));
  session.set(next);
  schedule(next);
}

function schedule(current: Session | null): void {
  clearTimeout(refreshTimer);
  if (current === null) return;
  // Never sooner than a few seconds: whatever a server answers, the page cannot spin on refresh.
  const delay = Math.max(current.expiresAt - margin(current) - Date.now(), MIN_REFRESH_DELAY_MS);
  refreshTimer = setTimeout(() => void refresh(), delay);
}

function fromResult(
  result: AuthenticationResult,
  refreshToken: string,
  profile: Pick<Session, "email" | "name">,
): Session {
  return {
    email: profile.email,
    name: profile.name,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? refreshToken,
    expiresAt: Date.now() + result.ExpiresIn * 1000,
    lifetimeMs: result.ExpiresIn * 1000,
  };
}

/** Trades the refresh token for a new access token; a refused one signs the user out. */
function refresh(): Promise<Session | null> {
  const current = session.get();
  if (current === null) return Promise.resolve(null);
  refreshing ??= refreshAuth(current.refreshToken)
    .then((result) => {
      const next = fromResult(result, current.refreshToken, {
        email: current.email,
        name: current.name,
      });
      store(next);
      return next;
    })
    .catch((error: unknown) => {
      if (error instanceof CognitoError && error.type === "NotAuthorizedException") {
        store(null);
        return null;
      }
      // Offline or a hiccup: keep the session, try again shortly.
      refreshTimer = setTimeout(() => void refresh(), 10_000);
      return current.expiresAt > Date.now() ? current : null;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/** The access token for the next request, refreshed first when it is close to expiry. */
export async function accessToken(): Promise<string | null> {
  const current = session.get();
  if (current === null) return null;
  if (current.expiresAt - margin(current) > Date.now()) return current.accessToken;
  return (await refresh())?.accessToken ?? null;
}

/** A sign-in: the session kept, and the ID token, which says whether the e-mail is confirmed. */
export interface SignedIn {
  session: Session;
  /** Cognito's ID token (not kept: only the sign-in's own follow-ups use it). */
  idToken: string | undefined;
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  const result = await passwordAuth(email, password);
  if (result.RefreshToken === undefined) {
    throw new CognitoError("NoRefreshToken", "The sign-in answer carried no refresh token.");
  }
  let name = "";
  try {
    const attributes = await getUser(result.AccessToken);
    name = attributes.name ?? "";
    email = attributes.email ?? email;
  } catch {
    // The name only decorates the header; a failed GetUser does not block the sign-in.
  }
  const next = fromResult(result, result.RefreshToken, { email, name });
  store(next);
  return { session: next, idToken: result.IdToken };
}

/**
 * Whether the session's access token puts the user in the operators' group (`cognito:groups`).
 * It only decides what the page shows: the API checks the same claim on every admin request.
 */
export function isAdmin(current: Session | null): boolean {
  if (current === null) return false;
  try {
    const payload = current.accessToken.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const groups: unknown = (JSON.parse(json) as Record<string, unknown>)["cognito:groups"];
    return Array.isArray(groups) && groups.includes("admin");
  } catch {
    return false;
  }
}

export function signOut(): void {
  store(null);
}

/** Resumes the refresh timer of a session kept from before a reload. */
export function startSession(): void {
  schedule(session.get());
}
