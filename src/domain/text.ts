/**
 * What no stored text may hold: C0 and C1 controls and DEL (`\p{Cc}`), the line and paragraph
 * separators, the bidirectional controls (a right-to-left override makes a label print something
 * other than what was stored) and lone surrogates (no UTF-8 encoding exists for them).
 */
const FORBIDDEN_CHARACTER =
  /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** True when `text` holds a character no stored text may (see FORBIDDEN_CHARACTER). */
export const hasForbiddenCharacter = (text: string): boolean => FORBIDDEN_CHARACTER.test(text);

/** The length a person counts: code points, not UTF-16 units (an emoji is one). */
export const characterCount = (text: string): number => [...text].length;
