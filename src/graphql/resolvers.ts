import { AppError } from "../domain/index.js";
import {
  addressBody,
  anonymousWithoutGuestCart,
  attachGuestOrdersBody,
  type Buyer,
  type Caller,
  type CartLineView,
  type CartView,
  checkoutBody,
  checkoutQuoteBody,
  commentBody,
  graphqlPageArgs,
  guestCartTokenRequired,
  idempotencyKey,
  idNamed,
  type LineView,
  ORDER_ACCESS_TOKEN_HEADER,
  type OrderView,
  orderAccessToken,
  type ProductView,
  pageInputOf,
  requireGuestCartToken,
  type Services,
  saveCartBody,
  shippingMethodsQuery,
  validate,
} from "../services/index.js";
import { createAdminRootValue } from "./admin-resolvers.js";

function requireCaller(caller: Caller | undefined): Caller {
  if (caller === undefined) {
    throw new AppError("UNAUTHENTICATED", "send an access token: Authorization: Bearer <token>");
  }
  return caller;
}

/** A missing product or order is `null` in GraphQL, as the schema's nullable fields say. */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return null;
    throw error;
  }
}

/** The chapter's cart line: `code` is the product id and `price` the unit price in cents. */
const chapterLine = (line: LineView | CartLineView) => ({
  name: line.name,
  code: line.id,
  quantity: line.quantity,
  price: line.unitPriceCents,
  lineTotalCents: line.lineTotalCents,
  available: "available" in line ? line.available : null,
});

const withChapterLines = <T extends CartView | OrderView>(view: T) => ({
  ...view,
  products: view.products.map(chapterLine),
});

/**
 * Root resolvers: each calls the same service as the REST route, so no rule is written twice.
 * Nested fields resolve from the views by name; a product's latest comments come with the
 * product in the service's one catalogue read, so `products { latestComments }` costs what
 * `GET /products` costs. Its paged `comments` is one more store read per product asked for.
 */
type PageArgs = { first?: number | null; after?: string | null };

/** GraphQL's null for an omitted field, dropped: the body REST would have been sent. */
const withoutNulls = (input: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));

/** A checkout input as the REST body it stands for: nulls dropped, in its addresses too. */
const checkoutInputOf = (input: Record<string, unknown>) => {
  const body = withoutNulls(input);
  for (const field of ["shippingAddress", "billingAddress"]) {
    const address = body[field];
    if (typeof address === "object" && address !== null) {
      body[field] = withoutNulls(address as Record<string, unknown>);
    }
  }
  return body;
};

export function createRootValue(
  services: Services,
  caller: Caller | undefined,
  request: {
    /** The `Guest-Cart-Token` header as sent. */
    guestCartToken: string | undefined;
    /** The `Order-Access-Token` header as sent. */
    orderAccessToken?: string | undefined;
    clientAddress?: string | undefined;
  },
) {
  const { guestCartToken: guestCartTokenHeader, orderAccessToken: orderAccessTokenHeader } =
    request;
  // As REST: a signed-in caller's own cart; otherwise the guest cart the header names.
  const guestToken = () => requireGuestCartToken(guestCartTokenHeader, anonymousWithoutGuestCart);
  const buyer = (): Buyer =>
    caller === undefined
      ? { kind: "guest", cartToken: guestToken(), clientAddress: request.clientAddress }
      : { kind: "customer", caller };
  const accessToken = () =>
    validate(orderAccessToken, orderAccessTokenHeader, `${ORDER_ACCESS_TOKEN_HEADER} header`);
  // The view's `comments` are the latest few; GraphQL's `comments` field is the paged list.
  const withPagedComments = ({ comments, ...product }: ProductView) => ({
    ...product,
    latestComments: comments,
    comments: (args: PageArgs) =>
      services.catalog.listComments(
        product.id,
        pageInputOf(validate(graphqlPageArgs, args, "arguments")),
      ),
  });
  return {
    ...createAdminRootValue(services, caller),
    cancelMyOrder: async ({ id }: { id: string }) => {
      const who = requireCaller(caller);
      return withChapterLines(await services.orders.cancelOrder(who, idNamed(id, "id")));
    },
    products: async (args: PageArgs) => {
      const page = pageInputOf(validate(graphqlPageArgs, args, "arguments"));
      const products = await services.catalog.listProducts(caller, page);
      return { ...products, items: products.items.map(withPagedComments) };
    },
    product: ({ id }: { id: string }) => {
      const productId = idNamed(id, "id");
      return orNull(async () =>
        withPagedComments(await services.catalog.getProduct(productId, caller)),
      );
    },
    shippingMethods: (args: { country: string; goodsCents?: number | null }) =>
      services.shopSettings.shippingMethods(
        validate(
          shippingMethodsQuery,
          { country: args.country, goodsCents: args.goodsCents ?? undefined },
          "arguments",
        ),
      ),
    cart: async () =>
      withChapterLines(
        caller === undefined
          ? await services.guestCarts.getGuestCart(guestToken())
          : await services.carts.getCart(caller),
      ),
    orders: async (args: PageArgs) => {
      const who = requireCaller(caller);
      const page = pageInputOf(validate(graphqlPageArgs, args, "arguments"));
      const orders = await services.orders.listOrders(who, page);
      return { ...orders, items: orders.items.map(withChapterLines) };
    },
    order: ({ id }: { id: string }) => {
      const who = requireCaller(caller);
      const orderId = idNamed(id, "id");
      return orNull(async () => withChapterLines(await services.orders.getOrder(who, orderId)));
    },
    saveCart: async (args: {
      products: { code: string; quantity: number }[];
      promotionCode?: string | null;
    }) => {
      // Who owns the cart is settled first: an anonymous call without a token is refused as such.
      const owner = caller ?? guestToken();
      const input = validate(
        saveCartBody,
        {
          products: args.products.map((line) => ({ id: line.code, quantity: line.quantity })),
          ...(args.promotionCode === null || args.promotionCode === undefined
            ? {}
            : { promotionCode: args.promotionCode }),
        },
        "arguments",
      );
      return withChapterLines(
        typeof owner === "string"
          ? await services.guestCarts.saveGuestCart(owner, input)
          : await services.carts.saveCart(owner, input),
      );
    },
    createGuestCart: () => services.guestCarts.createGuestCart(),
    mergeGuestCart: async () => {
      const who = requireCaller(caller);
      const token = requireGuestCartToken(guestCartTokenHeader, guestCartTokenRequired);
      return withChapterLines(await services.guestCarts.mergeGuestCart(who, token));
    },
    checkout: async (args: { idempotencyKey?: string | null; input: Record<string, unknown> }) => {
      const who = buyer();
      const key =
        args.idempotencyKey === null || args.idempotencyKey === undefined
          ? undefined
          : validate(idempotencyKey, args.idempotencyKey, "idempotencyKey");
      const input = validate(checkoutBody, checkoutInputOf(args.input), "input");
      const result = await services.orders.checkout(who, input, key);
      return {
        order: withChapterLines(result.order),
        replayed: result.replayed,
        orderAccessToken: result.orderAccessToken ?? null,
      };
    },
    attachGuestOrders: async (args: { idToken: string }) => {
      const who = requireCaller(caller);
      const { idToken } = validate(attachGuestOrdersBody, args, "arguments");
      const result = await services.orders.attachGuestOrders(who, idToken);
      return { ...result, attached: result.attached.map(withChapterLines) };
    },
    checkoutQuote: async (args: { input: Record<string, unknown> }) => {
      const who = buyer();
      const input = validate(checkoutQuoteBody, checkoutInputOf(args.input), "input");
      return services.checkout.quote(who, input);
    },
    guestOrder: ({ id }: { id: string }) => {
      const orderId = idNamed(id, "id");
      const token = accessToken();
      return orNull(async () =>
        withChapterLines(await services.orders.getGuestOrder(orderId, token)),
      );
    },
    cancelGuestOrder: async ({ id }: { id: string }) => {
      const orderId = idNamed(id, "id");
      const token = accessToken();
      return withChapterLines(await services.orders.cancelGuestOrder(orderId, token));
    },
    payOrder: ({ id }: { id: string }) =>
      services.orders.payOrder(requireCaller(caller), idNamed(id, "id")),
    payGuestOrder: ({ id }: { id: string }) => {
      const orderId = idNamed(id, "id");
      return services.orders.payGuestOrder(orderId, accessToken());
    },
    myAddresses: () => services.addresses.listAddresses(requireCaller(caller)),
    addAddress: ({ input }: { input: Record<string, unknown> }) => {
      const who = requireCaller(caller);
      return services.addresses.addAddress(
        who,
        validate(addressBody, withoutNulls(input), "input"),
      );
    },
    updateAddress: ({ id, input }: { id: string; input: Record<string, unknown> }) => {
      const who = requireCaller(caller);
      const addressId = idNamed(id, "id");
      const body = validate(addressBody, withoutNulls(input), "input");
      return services.addresses.replaceAddress(who, addressId, body);
    },
    deleteAddress: async ({ id }: { id: string }) => {
      const who = requireCaller(caller);
      await services.addresses.deleteAddress(who, idNamed(id, "id"));
      return true;
    },
    addComment: async (args: { productId: string; rating: number; text: string }) => {
      const who = requireCaller(caller);
      const input = validate(commentBody, { rating: args.rating, text: args.text }, "arguments");
      return services.catalog.addComment(who, idNamed(args.productId, "productId"), input);
    },
  };
}
