import { ADMIN_GROUP, AppError, adminOnly } from "../domain/index.js";
import type { Caller } from "./ports.js";

/** Whether the verified token puts the caller in the operators' group. */
export const isAdmin = (caller: Caller | undefined): boolean =>
  caller?.groups.includes(ADMIN_GROUP) === true;

/**
 * The caller of an operator's use case: 401 without one, 403 for a signed-in caller outside the
 * `admin` group. Every operator's use case starts here, so REST and GraphQL refuse alike.
 */
export function requireAdmin(caller: Caller | undefined): Caller {
  if (caller === undefined) {
    throw new AppError("UNAUTHENTICATED", "send an access token: Authorization: Bearer <token>");
  }
  if (!isAdmin(caller)) throw adminOnly();
  return caller;
}
