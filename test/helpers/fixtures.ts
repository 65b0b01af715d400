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

/**
 * The address the tests' orders ship to: Oregon has no sales tax in the demo rates, and Ground
 * is free above 50.00, so an order of PRICED_CART costs its goods alone.
 */
export const CHECKOUT_ADDRESS = {
  name: "Ada Lovelace",
  line1: "1 Main Street",
  city: "Portland",
  region: "OR",
  postalCode: "97201",
  country: "US",
} as const;

/** What the demo's US Ground costs under its free threshold (goods of 50.00 and more ship free). */
export const US_GROUND_CENTS = 599;

/** The body of a checkout the tests place: CHECKOUT_ADDRESS by the demo's US Ground. */
export const CHECKOUT_BODY = {
  shippingAddress: CHECKOUT_ADDRESS,
  shippingMethodId: "us-ground",
} as const;

/** The same, as a GraphQL `input: CheckoutInput!` literal. */
export const CHECKOUT_INPUT_GRAPHQL =
  '{ shippingAddress: { name: "Ada Lovelace", line1: "1 Main Street", city: "Portland", ' +
  'region: "OR", postalCode: "97201", country: "US" }, shippingMethodId: "us-ground" }';

/** A German address: in the demo's EU zone (Standard 6.90, free above 60.00), 19 % VAT. */
export const BERLIN_ADDRESS = {
  name: "Grace Hopper",
  line1: "Unter den Linden 1",
  city: "Berlin",
  postalCode: "10117",
  country: "DE",
} as const;

/** A valid shipment an operator ships a paid order with: carrier, tracking number and https link. */
export const SAMPLE_SHIPMENT = {
  carrier: "DHL",
  trackingNumber: "JJD 0001-2345",
  trackingUrl: "https://tracking.example.com/JJD00012345",
};
