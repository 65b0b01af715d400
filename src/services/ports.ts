import type { User } from "../domain/index.js";

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

/** Signs access tokens for the local issuer; in AWS, Cognito issues them instead. */
export interface TokenIssuer {
  issue(user: User): Promise<IssuedToken>;
  /** The public keys that verify the tokens, as a JSON Web Key Set. */
  jwks(): Promise<{ keys: object[] }>;
}

/** Turns a bearer token into the caller it proves, or throws `AppError("UNAUTHENTICATED")`. */
export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}
