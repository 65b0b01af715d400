export type { LocalIssuerOptions } from "./local-token-issuer.js";
export { createLocalTokenIssuer } from "./local-token-issuer.js";
export { scryptPasswords } from "./scrypt-passwords.js";
export type { CognitoVerifierOptions, LocalVerifierOptions } from "./token-verifier.js";
export { createCognitoTokenVerifier, createLocalTokenVerifier } from "./token-verifier.js";
