export interface User {
  id: string;
  /** Lower-case; unique in the store. */
  email: string;
  /** Shown as the author of the user's comments. */
  name: string;
  passwordHash: string;
  createdAt: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The name shown for a user who gave none: the part of the email before the `@`. */
export function defaultDisplayName(email: string): string {
  return email.split("@")[0] ?? email;
}

/** The Cognito group (`cognito:groups` in the access token) of the shop's operators. */
export const ADMIN_GROUP = "admin";
