import * as z from "zod/mini";
import {
  ADDRESS_BOOK_LIMITS,
  ADDRESS_LIMITS,
  COMMENT_LIMITS,
  type ImageUpload,
  ORDER_STATUSES,
} from "../domain/index.js";
import type { AddressBookView, AddressView } from "./addresses.js";
import type { FiguresView } from "./admin-catalogue.js";
import type { CancelledOrderView } from "./admin-orders.js";
import type {
  AdminOrderView,
  ManagedProductView,
  PromotionView,
  StockAdjustmentView,
} from "./admin-views.js";
import type { SignupAccepted as SignupAnswer } from "./auth.js";
import type { CheckoutQuoteView } from "./checkout.js";
import type { GuestCartCreated } from "./guest-carts.js";
import type { CheckoutResult, GuestOrdersAttached as GuestOrdersAttachedView } from "./orders.js";
import type { PageOf } from "./paging.js";
import type { PaymentEventReceipt as PaymentEventReceiptView } from "./payment-events.js";
import type { IssuedToken, PaymentSession as PaymentSessionView } from "./ports.js";
import type {
  ShippingSettings as ShippingSettingsView,
  TaxSettings as TaxSettingsView,
} from "./shop-config-ports.js";
import type { ShippingMethodsView } from "./shop-settings.js";
import type { CartView, CommentView, OrderView, ProductView } from "./views.js";

// What the API answers, as zod schemas: the OpenAPI document's named components. They document
// the views of views.ts and are checked against them below, at compile time; the HTTP suite
// checks every answer it gets against the document, at run time. Only the function that serves
// /openapi.json (and the build) loads this file: no other cold start builds these schemas.

const int = () => z.int().check(z.gte(0));
const cents = () => z.int().check(z.gte(0));
const iso = () => z.iso.datetime();

const Rating = z.object({
  average: z.nullable(z.number().check(z.gte(1), z.lte(5))),
  count: int(),
});

const Comment = z.object({
  id: z.string(),
  author: z.string(),
  rating: z.int().check(z.gte(1), z.lte(5)),
  text: z.string().check(z.maxLength(COMMENT_LIMITS.maxTextLength)),
  createdAt: iso(),
});

const Product = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  imageUrl: z.string(),
  priceCents: cents(),
  currency: z.string().check(z.length(3)),
  stock: int(),
  rating: Rating,
  comments: z.array(Comment).check(z.maxLength(COMMENT_LIMITS.latestShown)),
  isSelected: z.boolean(),
});

const OrderLine = z.object({
  id: z.string(),
  name: z.string(),
  quantity: z.int().check(z.gte(1)),
  unitPriceCents: cents(),
  lineTotalCents: cents(),
});

const CartLine = z.object({ ...OrderLine.shape, available: int() });

const priced = {
  promotionCode: z.nullable(z.string()),
  discountPercentage: z.int().check(z.gte(0), z.lte(100)),
  subtotalCents: cents(),
  discountCents: cents(),
  totalCents: cents(),
  currency: z.string().check(z.length(3)),
};

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const countryCode = () => z.string().check(z.regex(/^[A-Z]{2}$/));
const taxMode = () => z.enum(["inclusive", "exclusive"]);

const PostalAddress = z.object({
  name: text(ADDRESS_LIMITS.name),
  line1: text(ADDRESS_LIMITS.line1),
  line2: z.nullable(text(ADDRESS_LIMITS.line2)),
  city: text(ADDRESS_LIMITS.city),
  region: z.nullable(text(ADDRESS_LIMITS.region)),
  postalCode: z.nullable(text(ADDRESS_LIMITS.postalCode)),
  country: countryCode(),
  phone: z.nullable(text(ADDRESS_LIMITS.phone)),
});

const TaxLine = z.object({
  label: z.string(),
  country: countryCode(),
  region: z.nullable(z.string()),
  ratePpm: z.int().check(z.gte(0), z.lte(1_000_000)),
  taxableCents: cents(),
  taxCents: cents(),
});

const Totals = z.object({
  subtotalCents: cents(),
  discountCents: cents(),
  shippingCents: cents(),
  taxCents: cents(),
  totalCents: cents(),
  taxMode: z.nullable(taxMode()),
  taxLines: z.array(TaxLine),
  currency: z.string().check(z.length(3)),
});

const OrderShipping = z.object({
  methodId: z.string(),
  name: z.string(),
  priceCents: cents(),
  minDeliveryDays: z.nullable(int()),
  maxDeliveryDays: z.nullable(int()),
});

const Cart = z.object({
  products: z.array(CartLine),
  ...priced,
  shippingCents: z.null(),
  taxCents: z.null(),
  version: int(),
  updatedAt: z.nullable(iso()),
  notices: z.array(z.string()),
});

const Shipment = z.object({
  carrier: z.string(),
  trackingNumber: z.string(),
  trackingUrl: z.nullable(z.string()),
  shippedAt: iso(),
});

const Order = z.object({
  id: z.string(),
  status: z.enum(ORDER_STATUSES),
  failureReason: z.optional(z.string()),
  products: z.array(OrderLine),
  ...priced,
  createdAt: iso(),
  shippingCents: cents(),
  taxCents: cents(),
  taxMode: z.nullable(taxMode()),
  taxLines: z.array(TaxLine),
  shippingAddress: z.nullable(PostalAddress),
  billingAddress: z.nullable(PostalAddress),
  shipping: z.nullable(OrderShipping),
  guestEmail: z.nullable(z.string()),
  shipment: z.nullable(Shipment),
  deliveredAt: z.nullable(iso()),
});

/** What checkout answers: the order, and to a guest the token that opens it. */
const PlacedOrder = z.object({
  ...Order.shape,
  orderAccessToken: z.optional(z.string().check(z.length(43))),
});

const GuestOrdersAttached = z.object({ attached: z.array(Order), inFlight: int() });

/** What the page needs to pay an order: nothing for the demo provider, Stripe.js's keys else. */
const PaymentSession = z.discriminatedUnion("provider", [
  z.object({ provider: z.literal("demo") }),
  z.object({
    provider: z.literal("stripe"),
    publishableKey: z.string(),
    clientSecret: z.string(),
    amountCents: cents(),
    currency: z.string().check(z.length(3)),
  }),
]);

/** What the webhook answers the provider: handled, and how. */
const PaymentEventReceipt = z.object({
  received: z.literal(true),
  eventId: z.string(),
  outcome: z.enum([
    "settled",
    "duplicate",
    "ignored",
    "amount-mismatch",
    "order-finished",
    "unknown-order",
  ]),
  status: z.optional(z.enum(ORDER_STATUSES)),
});

const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

const ProductPage = page(Product);
const CommentPage = page(Comment);
const OrderPage = page(Order);

// The operators' answers (admin routes).

const ManagedProduct = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  imageUrl: z.string(),
  priceCents: cents(),
  currency: z.string().check(z.length(3)),
  stock: int(),
  archived: z.boolean(),
});
const ManagedProductList = z.array(ManagedProduct);

const StockAdjustment = z.object({
  id: z.string(),
  productId: z.string(),
  delta: z.int(),
  reason: z.string(),
  note: z.nullable(z.string()),
  actor: z.string(),
  createdAt: iso(),
  stockAfter: int(),
});
const StockAdjustmentPage = page(StockAdjustment);

const Promotion = z.object({
  code: z.string(),
  percentOff: z.int().check(z.gte(0), z.lte(100)),
  validFrom: z.nullable(z.string()),
  validUntil: z.nullable(z.string()),
  maxUses: z.nullable(int()),
  maxUsesPerCustomer: z.nullable(int()),
  active: z.boolean(),
  uses: int(),
});
const PromotionList = z.array(Promotion);

const AdminOrder = z.object({ ...Order.shape, userId: z.string() });
const AdminOrderPage = page(AdminOrder);

const CancelledOrder = z.object({
  order: AdminOrder,
  refund: z.nullable(
    z.union([
      z.object({ refunded: z.literal(true), amountCents: cents() }),
      z.object({ refunded: z.literal(false), reason: z.string() }),
    ]),
  ),
});

const Figures = z.object({
  generatedAt: iso(),
  products: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      stock: int(),
      unitsInCarts: int(),
      unitsSold24h: int(),
      unitsSold7d: int(),
    }),
  ),
});

const ImageUploadTicket = z.object({
  uploadUrl: z.string(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  imageUrl: z.string(),
  expiresAt: iso(),
});

const country = () => z.string().check(z.regex(/^[A-Z]{2}$/));
const days = () => z.optional(int());

const ShippingZone = z.object({ id: z.string(), name: z.string(), countries: z.array(country()) });

const ShippingMethod = z.object({
  id: z.string(),
  zoneId: z.string(),
  name: z.string(),
  priceCents: cents(),
  freeAboveCents: z.optional(cents()),
  minDeliveryDays: days(),
  maxDeliveryDays: days(),
});

const versioned = { version: int(), updatedAt: z.optional(iso()) };

const ShippingSettings = z.object({
  zones: z.array(ShippingZone),
  methods: z.array(ShippingMethod),
  ...versioned,
});

const TaxRate = z.object({
  country: country(),
  region: z.optional(z.string()),
  label: z.string(),
  ratePpm: z.int().check(z.gte(0), z.lte(1_000_000)),
});

const TaxSettings = z.object({
  rates: z.array(TaxRate),
  mode: z.enum(["inclusive", "exclusive"]),
  taxShipping: z.boolean(),
  ...versioned,
});

const ShippingOption = z.object({
  methodId: z.string(),
  zoneId: z.string(),
  name: z.string(),
  priceCents: cents(),
  regularPriceCents: cents(),
  freeAboveCents: z.optional(cents()),
  minDeliveryDays: days(),
  maxDeliveryDays: days(),
});

const ShippingMethodList = z.object({
  country: country(),
  goodsCents: cents(),
  methods: z.array(ShippingOption),
});

const CheckoutQuote = z.object({
  shippingAddress: PostalAddress,
  billingAddress: PostalAddress,
  shippingMethods: z.array(ShippingOption),
  shippingMethodId: z.string(),
  totals: Totals,
});

const GuestCart = z.object({ token: z.string().check(z.length(43)), expiresAt: iso() });

const AccessToken = z.object({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.int().check(z.gte(1)),
});

const SignupAccepted = z.object({ email: z.string(), message: z.string() });

const JsonWebKeySet = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

const ProblemField = z.object({ field: z.string(), message: z.string() });

const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().check(z.gte(400), z.lte(599)),
  detail: z.string(),
  instance: z.string(),
  code: z.string(),
  requestId: z.string(),
  errors: z.optional(z.array(ProblemField)),
});

const GraphqlError = z.object({
  message: z.string(),
  locations: z.optional(z.array(z.object({ line: z.int(), column: z.int() }))),
  path: z.optional(z.array(z.union([z.string(), z.int()]))),
  extensions: z.optional(z.record(z.string(), z.unknown())),
});

const GraphqlResponse = z.object({
  data: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  errors: z.optional(z.array(GraphqlError)),
  extensions: z.optional(z.record(z.string(), z.unknown())),
});

const Address = z.object({
  id: z.string(),
  ...PostalAddress.shape,
  isDefault: z.boolean(),
  createdAt: iso(),
});

const AddressBook = z.object({
  items: z.array(Address).check(z.maxLength(ADDRESS_BOOK_LIMITS.maxAddresses)),
  maxAddresses: int(),
});

const OpenApiDocument = z.looseObject({ openapi: z.string() });

/** Every named schema of the document, by component name. */
export const VIEW_SCHEMAS = {
  Rating,
  Comment,
  Product,
  ProductPage,
  CommentPage,
  OrderLine,
  CartLine,
  Cart,
  PostalAddress,
  TaxLine,
  Totals,
  OrderShipping,
  Shipment,
  Order,
  PlacedOrder,
  GuestOrdersAttached,
  PaymentSession,
  PaymentEventReceipt,
  OrderPage,
  ManagedProduct,
  ManagedProductList,
  StockAdjustment,
  StockAdjustmentPage,
  Promotion,
  PromotionList,
  AdminOrder,
  AdminOrderPage,
  CancelledOrder,
  Figures,
  ImageUploadTicket,
  ShippingZone,
  ShippingMethod,
  ShippingSettings,
  TaxRate,
  TaxSettings,
  ShippingOption,
  ShippingMethodList,
  CheckoutQuote,
  GuestCart,
  Address,
  AddressBook,
  AccessToken,
  SignupAccepted,
  JsonWebKeySet,
  ProblemField,
  Problem,
  GraphqlError,
  GraphqlResponse,
  OpenApiDocument,
};

/** The name of a response's schema, as routes declare it. */
export type ViewName = keyof typeof VIEW_SCHEMAS;

// Each view the services build must fit its schema: a field the schema requires that a view
// lacks or types differently fails the build; a view field the schema lacks fails the HTTP
// suite, whose answers are validated with additional properties refused.
type Fits<View, Schema extends z.ZodMiniType> = View extends z.infer<Schema> ? true : never;
const fits = <T extends true>(_: T[]) => undefined;
fits([
  true satisfies Fits<ProductView, typeof Product>,
  true satisfies Fits<CommentView, typeof Comment>,
  true satisfies Fits<CartView, typeof Cart>,
  true satisfies Fits<OrderView, typeof Order>,
  true satisfies Fits<PageOf<ProductView>, typeof ProductPage>,
  true satisfies Fits<PageOf<OrderView>, typeof OrderPage>,
  true satisfies Fits<PageOf<CommentView>, typeof CommentPage>,
  true satisfies Fits<GuestCartCreated, typeof GuestCart>,
  true satisfies Fits<AddressView, typeof Address>,
  true satisfies Fits<AddressBookView, typeof AddressBook>,
  true satisfies Fits<IssuedToken, typeof AccessToken>,
  true satisfies Fits<SignupAnswer, typeof SignupAccepted>,
  true satisfies Fits<ManagedProductView[], typeof ManagedProductList>,
  true satisfies Fits<PageOf<StockAdjustmentView>, typeof StockAdjustmentPage>,
  true satisfies Fits<PromotionView[], typeof PromotionList>,
  true satisfies Fits<PageOf<AdminOrderView>, typeof AdminOrderPage>,
  true satisfies Fits<CancelledOrderView, typeof CancelledOrder>,
  true satisfies Fits<FiguresView, typeof Figures>,
  true satisfies Fits<ImageUpload, typeof ImageUploadTicket>,
  true satisfies Fits<ShippingSettingsView, typeof ShippingSettings>,
  true satisfies Fits<TaxSettingsView, typeof TaxSettings>,
  true satisfies Fits<ShippingMethodsView, typeof ShippingMethodList>,
  true satisfies Fits<CheckoutQuoteView, typeof CheckoutQuote>,
  true satisfies Fits<GuestOrdersAttachedView, typeof GuestOrdersAttached>,
  true satisfies Fits<PaymentSessionView, typeof PaymentSession>,
  true satisfies Fits<PaymentEventReceiptView, typeof PaymentEventReceipt>,
  true satisfies Fits<CheckoutResult["order"] & { orderAccessToken?: string }, typeof PlacedOrder>,
]);
