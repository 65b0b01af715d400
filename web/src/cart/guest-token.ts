// The guest cart's token: in localStorage, so a visitor's cart survives closing the tab for the
// 7 days the server keeps it. It names a cart and nothing else.
const KEY = "store.guestCartToken";

export function readGuestToken(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function keepGuestToken(token: string): void {
  window.localStorage.setItem(KEY, token);
}

export function forgetGuestToken(): void {
  window.localStorage.removeItem(KEY);
}
