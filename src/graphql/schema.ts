import { buildSchema } from "graphql";
import { ADDRESS_BOOK_LIMITS, COMMENT_LIMITS } from "../domain/index.js";
import { ADMIN_SDL } from "./admin-schema.js";

/** An address's fields as a client sends them: each checked, an error naming every invalid one. */
const POSTAL_ADDRESS_INPUT_FIELDS = `    "The recipient."
    name: String
    line1: String
    line2: String
    city: String
    "Required, as a code (CA, NSW, ON), in the US, Canada and Australia."
    region: String
    "Required where the country uses one."
    postalCode: String
    "ISO 3166-1 alpha-2, such as DE or US."
    country: String
    phone: String`;

/** An address's fields in its canonical form, as the address book and an order keep it. */
const POSTAL_ADDRESS_FIELDS = `    name: String!
    line1: String!
    line2: String
    city: String!
    region: String
    postalCode: String
    country: String!
    phone: String`;

/**
 * The chapter's `ShoppingCart` and `Product` (a cart line: `code` is the product id, `price` the
 * unit price in integer cents) grown into the whole store. Amounts are integer cents.
 */
export const SCHEMA_SDL = /* GraphQL */ `
  type Query {
    "A page of the catalogue in id order (first: 1 to 100, default 20; after: a nextCursor), each product with its rating and latest comments; isSelected marks the caller's cart."
    products(first: Int, after: String): ProductPage!
    "Null for an unknown id (REST answers 404 NOT_FOUND)."
    product(id: ID!): CatalogueProduct
    "The caller's cart, priced; without an access token, the guest cart of the Guest-Cart-Token header."
    cart: ShoppingCart!
    "A page of the caller's orders, newest first (first and after as for products). Requires a token."
    orders(first: Int, after: String): OrderPage!
    "Null for an unknown id and for another user's order (REST answers 404 NOT_FOUND). Requires a token."
    order(id: ID!): Order
    "The shipping methods to a country (ISO 3166-1 alpha-2) for goods of goodsCents (after discount, before tax; 0 when omitted), cheapest first; the error's code is NOT_SHIPPABLE where the shop does not ship."
    shippingMethods(country: String!, goodsCents: Int): ShippingMethodList!
    "The caller's address book, the default first, then the oldest first: every entry (at most ${ADDRESS_BOOK_LIMITS.maxAddresses}, so not paged). Requires a token."
    myAddresses: AddressBook!
    "Price the caller's cart (or the guest cart of the Guest-Cart-Token header) shipped to an address, as POST /checkout/quote: the methods offered there and the totals with shipping and tax. Nothing is written."
    checkoutQuote(input: CheckoutQuoteInput!): CheckoutQuote!
    "A guest's order, opened by the orderAccessToken its checkout answered, sent as the Order-Access-Token header; null for a token that does not open it."
    guestOrder(id: ID!): Order
  }

  "An address as checkout takes it: each field is checked, and an error names every invalid one (shippingAddress.postalCode)."
  input PostalAddressInput {
${POSTAL_ADDRESS_INPUT_FIELDS}
  }

  input CheckoutQuoteInput {
    "Where the order goes; or, signed in, addressId of a saved address."
    shippingAddress: PostalAddressInput
    addressId: ID
    "Absent: the shipping address."
    billingAddress: PostalAddressInput
    "Absent: the cheapest method."
    shippingMethodId: ID
  }

  input CheckoutInput {
    "Where the order goes; or, signed in, addressId of a saved address."
    shippingAddress: PostalAddressInput
    addressId: ID
    "Absent: the shipping address."
    billingAddress: PostalAddressInput
    "One of the methods checkoutQuote offers for the address."
    shippingMethodId: ID!
    "A guest's e-mail address (required without an access token, refused with one)."
    email: String
  }

  "A postal address in its canonical form, as an order keeps it."
  type PostalAddress {
${POSTAL_ADDRESS_FIELDS}
  }

  "One tax applied to an order: taxCents is taxableCents at ratePpm (parts per million), rounded half up once per order."
  type TaxLine {
    label: String!
    country: String!
    region: String
    ratePpm: Int!
    taxableCents: Int!
    taxCents: Int!
  }

  "totalCents is what the shopper pays: tax inside it when taxMode is inclusive, added when exclusive."
  type Totals {
    subtotalCents: Int!
    discountCents: Int!
    shippingCents: Int!
    taxCents: Int!
    totalCents: Int!
    "inclusive or exclusive."
    taxMode: String
    taxLines: [TaxLine!]!
    currency: String!
  }

  type CheckoutQuote {
    shippingAddress: PostalAddress!
    billingAddress: PostalAddress!
    "Cheapest first, each at this cart's price."
    shippingMethods: [ShippingOption!]!
    "The method the totals are priced with."
    shippingMethodId: ID!
    totals: Totals!
  }

  "What the page needs to pay an order: nothing more than provider 'demo' (the shop charges by itself), or Stripe.js's publishable key and the PaymentIntent's client secret with provider 'stripe'."
  type PaymentSession {
    provider: String!
    publishableKey: String
    clientSecret: String
    amountCents: Int
    "ISO 4217, upper case."
    currency: String
  }

  type GuestOrdersAttached {
    attached: [Order!]!
    "Guest orders of the address still being processed: attached by a later call."
    inFlight: Int!
  }

  "The shipping method as the order was placed with it."
  type OrderShipping {
    methodId: ID!
    name: String!
    priceCents: Int!
    minDeliveryDays: Int
    maxDeliveryDays: Int
  }

  type ShippingOption {
    methodId: ID!
    zoneId: ID!
    name: String!
    "What this order pays: 0 when its goods reach freeAboveCents."
    priceCents: Int!
    regularPriceCents: Int!
    freeAboveCents: Int
    minDeliveryDays: Int
    maxDeliveryDays: Int
  }

  type ShippingMethodList {
    country: String!
    goodsCents: Int!
    methods: [ShippingOption!]!
  }

  type Mutation {
    "Replace the caller's cart; without an access token, the guest cart of the Guest-Cart-Token header."
    saveCart(products: [CartLineInput!]!, promotionCode: String): ShoppingCart!
    "Start a guest cart; send its token as the Guest-Cart-Token header. It expires 7 days after its last save."
    createGuestCart: GuestCart!
    "Merge the guest cart of the Guest-Cart-Token header into the caller's cart and delete it. Requires a token; an unknown, expired or merged guest cart changes nothing."
    mergeGuestCart: ShoppingCart!
    "Turn the caller's cart (or the guest cart of the Guest-Cart-Token header, with input.email) into an order shipped to the input's address, priced with shipping and tax, processed asynchronously; the same idempotencyKey returns the first order as it is now. A guest's answer carries orderAccessToken."
    checkout(idempotencyKey: String, input: CheckoutInput!): CheckoutResult!
    "Cancel a guest's order while it is PLACED, opened by the Order-Access-Token header."
    cancelGuestOrder(id: ID!): Order!
    "Start (or take up again) the payment of one of the caller's orders still PLACED or PROCESSING (as POST /orders/{id}/payment): one payment per order however often asked. The error's reason is ORDER_NOT_PAYABLE (code CONFLICT) once it is paid, failed or cancelled. Requires a token."
    payOrder(id: ID!): PaymentSession!
    "As payOrder, for the guest's order the Order-Access-Token header opens."
    payGuestOrder(id: ID!): PaymentSession!
    "Move the finished guest orders placed with the caller's e-mail address into the caller's orders, once the pool confirmed the address (as POST /guest-orders/attach): idToken is the caller's ID token. The error's code is FORBIDDEN while the address is unconfirmed. Requires a token."
    attachGuestOrders(idToken: String!): GuestOrdersAttached!
    "Comment on a product (rating 1 to 5, text up to ${COMMENT_LIMITS.maxTextLength} characters); past a user's rate limit (${COMMENT_LIMITS.perMinute} a minute, ${COMMENT_LIMITS.perProductPerDay} a day on one product, UTC) the error's code is TOO_MANY_REQUESTS."
    addComment(productId: ID!, rating: Int!, text: String!): Comment!
    "Add an address to the caller's book (as POST /addresses); isDefault true makes it the default in place of the previous one. Past ${ADDRESS_BOOK_LIMITS.maxAddresses} the error's reason is ADDRESS_BOOK_FULL (code CONFLICT). Requires a token."
    addAddress(input: AddressInput!): Address!
    "Replace one of the caller's addresses (as PUT /addresses/{id}); isDefault absent keeps its default flag. NOT_FOUND for an id that is not the caller's. Requires a token."
    updateAddress(id: ID!, input: AddressInput!): Address!
    "Delete one of the caller's addresses (as DELETE /addresses/{id}); deleting the default leaves none. NOT_FOUND for an id that is not the caller's. Requires a token."
    deleteAddress(id: ID!): Boolean!
  }

  "An address as the customer types it: each field is checked, and an error names every invalid one."
  input AddressInput {
${POSTAL_ADDRESS_INPUT_FIELDS}
    isDefault: Boolean
  }

  type AddressBook {
    items: [Address!]!
    maxAddresses: Int!
  }

  "An address of the caller's book, in its canonical form."
  type Address {
    id: ID!
${POSTAL_ADDRESS_FIELDS}
    isDefault: Boolean!
    createdAt: String!
  }

  type ProductPage {
    items: [CatalogueProduct!]!
    "Pass as after for the next page; null on the last page."
    nextCursor: String
  }

  type OrderPage {
    items: [Order!]!
    "Pass as after for the next page; null on the last page."
    nextCursor: String
  }

  type GuestCart {
    "256 random bits, base64url: the only key to the cart."
    token: String!
    "ISO 8601 time the cart expires unless saved before."
    expiresAt: String!
  }

  input CartLineInput {
    code: ID!
    quantity: Int!
  }

  type ShoppingCart {
    products: [Product!]!
    promotionCode: String
    discountPercentage: Int!
    subtotalCents: Int!
    discountCents: Int!
    "The goods after the discount: shipping and tax need an address (checkoutQuote)."
    totalCents: Int!
    "Null until an address is given: see checkoutQuote."
    shippingCents: Int
    "Null until an address is given: see checkoutQuote."
    taxCents: Int
    currency: String!
    version: Int!
    notices: [String!]!
  }

  "A line of a cart or an order."
  type Product {
    name: String!
    code: ID!
    quantity: Int!
    "Unit price in cents."
    price: Int!
    lineTotalCents: Int!
    "On a cart's line: how many are in stock now (a notice says when the line asks for more). Null on an order's."
    available: Int
  }

  type CatalogueProduct {
    id: ID!
    name: String!
    description: String!
    imageUrl: String!
    priceCents: Int!
    currency: String!
    stock: Int!
    "The count and average of every comment's rating."
    rating: Rating!
    "The latest ${COMMENT_LIMITS.latestShown} comments, newest first (what GET /products carries as comments)."
    latestComments: [Comment!]!
    "A page of every comment, newest first (first: 1 to 100, default 20; after: a nextCursor), as GET /products/{id}/comments."
    comments(first: Int, after: String): CommentPage!
    isSelected: Boolean!
  }

  type CommentPage {
    items: [Comment!]!
    "Pass as after for the next page; null on the last page."
    nextCursor: String
  }

  type Rating {
    average: Float
    count: Int!
  }

  type Comment {
    id: ID!
    author: String!
    rating: Int!
    text: String!
    createdAt: String!
  }

  "How the parcel left."
  type Shipment {
    carrier: String!
    trackingNumber: String!
    "An https URL where the customer follows the parcel; null when the operator gave none."
    trackingUrl: String
    shippedAt: String!
  }

  type Order {
    id: ID!
    "PLACED, then PROCESSING, then COMPLETED (paid) or FAILED; a paid order then SHIPPED and DELIVERED. PLACED, PROCESSING and COMPLETED orders may be CANCELLED."
    status: String!
    "Why the order failed; null unless status is FAILED."
    failureReason: String
    products: [Product!]!
    promotionCode: String
    discountPercentage: Int!
    subtotalCents: Int!
    discountCents: Int!
    shippingCents: Int!
    taxCents: Int!
    "What the shopper pays: shipping included, and tax added when taxMode is exclusive."
    totalCents: Int!
    "inclusive or exclusive; null on an order placed before checkout had tax."
    taxMode: String
    taxLines: [TaxLine!]!
    currency: String!
    createdAt: String!
    "Null on orders placed before checkout took an address."
    shippingAddress: PostalAddress
    "The shipping address unless another was given; null as shippingAddress."
    billingAddress: PostalAddress
    shipping: OrderShipping
    "The e-mail address of a guest's order; null on a customer's."
    guestEmail: String
    "Null until the order is SHIPPED."
    shipment: Shipment
    "When it was delivered; null until the order is DELIVERED."
    deliveredAt: String
  }

  type CheckoutResult {
    order: Order!
    "True when the idempotency key was used before and this is the first checkout's order."
    replayed: Boolean!
    "A guest's checkout only: the only key to the order (send it as the Order-Access-Token header). Shown once per checkout; keep it."
    orderAccessToken: String
  }
`;

/** Built once per process (module scope): the schema is static. */
export const schema = buildSchema(`${SCHEMA_SDL}\n${ADMIN_SDL}`);
