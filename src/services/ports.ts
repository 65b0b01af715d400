import type { OrderStatus, User } from "../domain/index.js";

/** Who is calling, as proven by a verified token. Never built from a request body or query. */
export interface Caller {
  userId: string;
  /** Shown as the author of the caller's comments. */
  username: string;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison of `password` against a hash made by `hash`. */
  verify(password: string, hash: string): Promise<boolean>;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

/** What a user-pool sign-in answers: Cognito's access, ID and (on sign-in only) refresh token. */
export interface SessionTokens extends IssuedToken {
  idToken: string;
  /** Absent on a refresh: as Cognito's REFRESH_TOKEN_AUTH, the client keeps the one it has. */
  refreshToken?: string;
}

/** Signs access tokens for the local issuer; in AWS, Cognito issues them instead. */
export interface TokenIssuer {
  issue(user: User): Promise<IssuedToken>;
  /** The access token of `issue`, an ID token, and a refresh token when `withRefreshToken`. */
  issueSession(user: User, options: { withRefreshToken: boolean }): Promise<SessionTokens>;
  /**
   * The user id a refresh token of this issuer names; undefined for anything else (forged,
   * expired, signed by another key, or an access or ID token).
   */
  verifyRefreshToken(token: string): Promise<string | undefined>;
  /** The public keys that verify the tokens, as a JSON Web Key Set. */
  jwks(): Promise<{ keys: object[] }>;
}

/** Turns a bearer token into the caller it proves, or throws `AppError("UNAUTHENTICATED")`. */
export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}

/** A placed order, as the processing step is told about it. */
export interface OrderRef {
  userId: string;
  orderId: string;
}

/**
 * Where checkout announces a placed order to the processing step. In AWS it is a no-op: the
 * table's DynamoDB stream carries the inserted order to the processing function, with no second
 * write to lose. The dev server feeds an in-process queue instead.
 */
export interface OrderQueue {
  enqueue(order: OrderRef): Promise<void>;
}

/** What a user's WebSocket clients receive when one of their orders changes state. */
export interface OrderUpdate {
  type: "order.updated";
  orderId: string;
  status: OrderStatus;
  /** Why the order failed; on FAILED only. */
  reason?: string;
}

/**
 * Delivers a message to every open connection of a user. Best effort by contract: it never
 * throws (a failed delivery is logged), since a notification must never fail an order.
 */
export interface Notifier {
  notify(userId: string, message: OrderUpdate): Promise<void>;
}

export interface PaymentRequest {
  /** Also the payment's idempotency key: a second charge for one order answers the first result. */
  orderId: string;
  userId: string;
  amountCents: number;
  currency: string;
}

export type PaymentResult = { approved: true } | { approved: false; reason: string };

/** Takes the payment of an order. Idempotent per `orderId`. */
export interface PaymentProvider {
  charge(request: PaymentRequest): Promise<PaymentResult>;
}

/** One structured log line (JSON in CloudWatch, stderr locally). */
export type Logger = (
  entry: { level: "info" | "warn" | "error"; message: string } & Record<string, unknown>,
) => void;
