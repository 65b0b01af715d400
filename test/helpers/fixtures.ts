/** A cart line as the test helpers take it: `[productId, quantity]`. */
export type CartLineFixture = readonly [productId: string, quantity: number];

/**
 * The one priced cart the tests share: two "Lonely Bird" (2999 cents) and one "Solid Friendship"
 * (1999 cents) of the seed catalogue, 7997 cents before any promotion.
 */
export const PRICED_CART = {
  lines: [
    ["lonely-bird", 2],
    ["solid-friendship", 1],
  ] as const satisfies readonly CartLineFixture[],
  subtotalCents: 2 * 2999 + 1999,
} as const;
