// Each function's Lambda memory, from its peak resident memory after 1,000 warm invocations in
// one process (`npm run bench -- memory`, which re-measures and warns when a function outgrows its
// size; BENCHMARKS.md, "Memory size", has the figures). Lambda gives CPU in proportion to memory,
// so a smaller size is also a slower CPU: BENCHMARKS.md says what that costs in time.

/** Lambda's smallest memory size, and the step the sizes here are rounded up to. */
const LAMBDA_MIN_MB = 128;
const STEP_MB = 64;
/** Headroom over the measured peak: the runtime's own client, bigger pages, a busier day. */
const HEADROOM = 2;
/** A function not measured yet (a new one): serverless.yml's provider default. */
export const DEFAULT_MEMORY_SIZE_MB = 1024;

/** The memory size the measured peak RSS calls for: max(128, 2 × peak up to the next 64 MB). */
export function memorySizeFor(peakRssMb: number): number {
  return Math.max(LAMBDA_MIN_MB, Math.ceil((HEADROOM * peakRssMb) / STEP_MB) * STEP_MB);
}

/** Memory size in MB of every function of every architecture, by function name. */
export const MEMORY_SIZES_MB: Readonly<Record<string, number>> = {
  // nano
  getProducts: 192,
  getProductsId: 192,
  getProductsIdComments: 192,
  postProductsIdComments: 192,
  postGuestCarts: 192,
  getCart: 192,
  postCart: 192,
  postCartMerge: 192,
  putCheckout: 192,
  // Not measured yet: the size of the route each one mirrors (putCheckout, getOrdersId,
  // postOrdersIdCancel, postOrdersIdCancel) until `npm run bench -- memory nano` says otherwise.
  postCheckoutQuote: 192,
  getGuestOrdersId: 192,
  postGuestOrdersIdCancel: 192,
  postGuestOrdersAttach: 192,
  getShippingMethods: 192,
  getOrders: 192,
  getOrdersId: 192,
  postOrdersIdCancel: 192,
  getAddresses: 192,
  postAddresses: 192,
  putAddressesId: 192,
  deleteAddressesId: 192,
  getAdminProducts: 192,
  postAdminProducts: 192,
  patchAdminProductsId: 192,
  postAdminProductsIdArchive: 192,
  getAdminProductsIdStockAdjustments: 192,
  postAdminProductsIdStockAdjustments: 192,
  postAdminUploads: 192,
  getAdminPromotions: 192,
  postAdminPromotions: 192,
  putAdminPromotionsCode: 192,
  postAdminPromotionsCodeDeactivate: 192,
  getAdminOrders: 256,
  getAdminOrdersId: 192,
  postAdminOrdersIdCancel: 192,
  // Not measured yet: the size of the route each one mirrors (getAdminOrders,
  // postAdminOrdersIdCancel, postAdminOrdersIdCancel) until `npm run bench -- memory nano` says
  // otherwise.
  getAdminShippingQueue: 256,
  postAdminOrdersIdShip: 192,
  postAdminOrdersIdDeliver: 192,
  getAdminFigures: 256,
  getAdminShipping: 192,
  putAdminShipping: 256,
  getAdminTax: 192,
  putAdminTax: 256,
  getOpenapiJson: 192,
  // Not measured yet: they load Stripe's library in stripe mode, as the processing does, hence
  // its size until `npm run bench -- memory` says otherwise.
  postOrdersIdPayment: 256,
  postGuestOrdersIdPayment: 256,
  postWebhooksStripe: 256,
  // micro
  products: 192,
  cart: 192,
  checkout: 192,
  orders: 192,
  account: 192,
  admin: 256,
  docs: 192,
  // Not measured yet (as postWebhooksStripe); graph serves the webhook from it too.
  payments: 256,
  // monolith
  api: 256,
  // graph
  graphql: 256,
  // every architecture's WebSocket and order processing functions
  notifications: 192,
  processOrders: 256,
  sweepOrders: 256,
};

/** The memory size of function `name`; the default for a function the table does not hold. */
export function memorySizeMb(name: string): number {
  return MEMORY_SIZES_MB[name] ?? DEFAULT_MEMORY_SIZE_MB;
}
