import { AppError } from "../domain/index.js";
import {
  type AdminOrderView,
  type Caller,
  createProductBody,
  createPromotionBody,
  graphqlPageArgs,
  idNamed,
  imageUploadBody,
  orderStatusQuery,
  pageInputOf,
  promotionDefinition,
  requireAdmin,
  type Services,
  shipmentBody,
  shippingSettingsBody,
  stockAdjustmentBody,
  taxSettingsBody,
  updateProductBody,
  validate,
} from "../services/index.js";

type Nullable<T> = { [K in keyof T]?: T[K] | null };

/** GraphQL's nulls dropped: the shared input schemas take absent fields, as REST sends them. */
const present = <T extends object>(value: T): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined),
  );

/** GraphQL's nulls dropped at every depth (a method's `freeAboveCents: null`, say). */
const withoutNulls = (value: object): unknown =>
  JSON.parse(JSON.stringify(value, (_key, entry) => (entry === null ? undefined : entry)));

/** The shoppers' page arguments: `first` and `after`, a bad `after` refused naming it. */
type PageArgs = Nullable<{ first: number; after: string }>;

const chapterOrder = (view: AdminOrderView) => ({
  ...view,
  products: view.products.map((line) => ({
    name: line.name,
    code: line.id,
    quantity: line.quantity,
    price: line.unitPriceCents,
    lineTotalCents: line.lineTotalCents,
  })),
});

/**
 * The operators' root resolvers. Each refuses first (UNAUTHENTICATED, FORBIDDEN) and only then
 * validates its arguments with the schema the REST route uses, so a non-operator learns nothing
 * of what the operation would do; then it calls the same service as the route.
 */
export function createAdminRootValue(services: Services, caller: Caller | undefined) {
  const admin = () => requireAdmin(caller);
  const orNull = async <T>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") return null;
      throw error;
    }
  };
  return {
    adminProducts: () => services.adminCatalogue.listProducts(admin()),
    stockAdjustments: ({ productId, ...args }: { productId: string } & PageArgs) => {
      const who = admin();
      const page = pageInputOf(validate(graphqlPageArgs, args, "arguments"));
      return services.adminCatalogue.listStockAdjustments(
        who,
        idNamed(productId, "productId"),
        page,
      );
    },
    adminPromotions: () => services.adminPromotions.listPromotions(admin()),
    adminOrders: async ({ status, ...args }: { status?: string | null } & PageArgs) => {
      const who = admin();
      const { status: only } = validate(orderStatusQuery, present({ status }), "arguments");
      const page = await services.adminOrders.listOrders(who, {
        ...pageInputOf(validate(graphqlPageArgs, args, "arguments")),
        ...(only === undefined ? {} : { status: only }),
      });
      return { items: page.items.map(chapterOrder), nextCursor: page.nextCursor };
    },
    adminOrder: ({ id }: { id: string }) => {
      const who = admin();
      const orderId = idNamed(id, "id");
      return orNull(async () => chapterOrder(await services.adminOrders.getOrder(who, orderId)));
    },
    shippingQueue: async (args: PageArgs) => {
      const who = admin();
      const page = await services.fulfilment.listShippingQueue(
        who,
        pageInputOf(validate(graphqlPageArgs, args, "arguments")),
      );
      return { items: page.items.map(chapterOrder), nextCursor: page.nextCursor };
    },
    operatorFigures: () => services.adminCatalogue.figures(admin()),
    shippingSettings: () => services.shopSettings.shippingSettings(admin()),
    taxSettings: () => services.shopSettings.taxSettings(admin()),
    saveShippingSettings: ({ input }: { input: object }) => {
      const who = admin();
      const settings = validate(shippingSettingsBody, withoutNulls(input), "input");
      return services.shopSettings.saveShippingSettings(who, settings);
    },
    saveTaxSettings: ({ input }: { input: object }) => {
      const who = admin();
      const settings = validate(taxSettingsBody, withoutNulls(input), "input");
      return services.shopSettings.saveTaxSettings(who, settings);
    },

    createProduct: ({ input }: { input: Record<string, unknown> }) => {
      const who = admin();
      return services.adminCatalogue.createProduct(
        who,
        validate(createProductBody, present(input), "input"),
      );
    },
    updateProduct: ({ id, input }: { id: string; input: Record<string, unknown> }) => {
      const who = admin();
      const changes = validate(updateProductBody, present(input), "input");
      return services.adminCatalogue.updateProduct(who, idNamed(id, "id"), changes);
    },
    archiveProduct: ({ id }: { id: string }) => {
      const who = admin();
      return services.adminCatalogue.archiveProduct(who, idNamed(id, "id"));
    },
    adjustStock: (args: {
      productId: string;
      delta: number;
      reason: string;
      note?: string | null;
    }) => {
      const who = admin();
      const { productId, ...rest } = args;
      const input = validate(stockAdjustmentBody, present(rest), "arguments");
      return services.adminCatalogue.adjustStock(who, idNamed(productId, "productId"), input);
    },
    createImageUpload: async (args: { contentType: string; bytes: number }) => {
      const who = admin();
      const request = validate(imageUploadBody, args, "arguments");
      const upload = await services.adminCatalogue.createImageUpload(who, request);
      return { ...upload, contentType: request.contentType };
    },
    createPromotion: ({ input }: { input: Record<string, unknown> }) => {
      const who = admin();
      return services.adminPromotions.createPromotion(
        who,
        validate(createPromotionBody, present(input), "input"),
      );
    },
    updatePromotion: ({ code, input }: { code: string; input: Record<string, unknown> }) => {
      const who = admin();
      const definition = validate(promotionDefinition, present(input), "input");
      return services.adminPromotions.updatePromotion(who, idNamed(code, "code"), definition);
    },
    deactivatePromotion: ({ code }: { code: string }) => {
      const who = admin();
      return services.adminPromotions.deactivatePromotion(who, idNamed(code, "code"));
    },
    cancelOrder: async ({ id }: { id: string }) => {
      const who = admin();
      const result = await services.adminOrders.cancelOrder(who, idNamed(id, "id"));
      return {
        order: chapterOrder(result.order),
        refundedCents: result.refund?.refunded === true ? result.refund.amountCents : null,
      };
    },
    shipOrder: async ({ id, input }: { id: string; input: Record<string, unknown> }) => {
      const who = admin();
      const orderId = idNamed(id, "id");
      const shipment = validate(shipmentBody, present(input), "input");
      return chapterOrder(await services.fulfilment.shipOrder(who, orderId, shipment));
    },
    markOrderDelivered: async ({ id }: { id: string }) => {
      const who = admin();
      return chapterOrder(await services.fulfilment.markDelivered(who, idNamed(id, "id")));
    },
  };
}
