import {
  assertAdjustment,
  type ImageUpload,
  type ImageUploadRequest,
  type ManagedProduct,
  type Product,
  type StockAdjustment,
  type StockReason,
} from "../domain/index.js";
import {
  type ManagedProductView,
  managedProductView,
  type StockAdjustmentView,
  stockAdjustmentView,
} from "./admin-views.js";
import { requireAdmin } from "./operator-access.js";
import { nextCursorOf, type PageInput, type PageOf, pageRequest } from "./paging.js";
import type { Caller, Clock, IdGenerator, ImageUploads, Store } from "./ports.js";

export interface NewProduct {
  id?: string | undefined;
  name: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  stock: number;
}

export interface ProductChanges {
  name?: string | undefined;
  description?: string | undefined;
  priceCents?: number | undefined;
  imageUrl?: string | undefined;
}

export interface NewAdjustment {
  delta: number;
  reason: Exclude<StockReason, "initial">;
  note?: string | undefined;
}

export interface FiguresView {
  generatedAt: string;
  products: {
    id: string;
    name: string;
    stock: number;
    unitsInCarts: number;
    unitsSold24h: number;
    unitsSold7d: number;
  }[];
}

/** The operators' catalogue: products, their stock trail, images and figures. Admins only. */
export interface AdminCatalogueService {
  listProducts(caller: Caller | undefined): Promise<ManagedProductView[]>;
  createProduct(caller: Caller | undefined, input: NewProduct): Promise<ManagedProductView>;
  /** A price change reaches carts at once: they are priced on read, and checkout refuses a
   * cart priced before it (CART_CHANGED). */
  updateProduct(
    caller: Caller | undefined,
    productId: string,
    changes: ProductChanges,
  ): Promise<ManagedProductView>;
  archiveProduct(caller: Caller | undefined, productId: string): Promise<ManagedProductView>;
  adjustStock(
    caller: Caller | undefined,
    productId: string,
    input: NewAdjustment,
  ): Promise<StockAdjustmentView>;
  listStockAdjustments(
    caller: Caller | undefined,
    productId: string,
    page: PageInput,
  ): Promise<PageOf<StockAdjustmentView>>;
  createImageUpload(caller: Caller | undefined, request: ImageUploadRequest): Promise<ImageUpload>;
  figures(caller: Caller | undefined): Promise<FiguresView>;
}

/** `Blue Vase №2` -> `blue-vase-2`: a product id from its name. */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return slug === "" ? "product" : slug;
}

export function createAdminCatalogueService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  uploads: ImageUploads;
}): AdminCatalogueService {
  const { store, clock, ids, uploads } = deps;
  const view = (product: ManagedProduct) => managedProductView(product);

  return {
    async listProducts(caller) {
      requireAdmin(caller);
      return (await store.listAllProducts()).map(view);
    },

    async createProduct(caller, input) {
      const admin = requireAdmin(caller);
      const product: Product = {
        id: input.id ?? slugOf(input.name),
        name: input.name,
        description: input.description,
        imageUrl: input.imageUrl,
        priceCents: input.priceCents,
        stock: input.stock,
      };
      const createdAt = clock.now().toISOString();
      const adjustment: StockAdjustment | undefined =
        input.stock > 0
          ? {
              id: ids.newId(),
              productId: product.id,
              delta: input.stock,
              reason: "initial",
              actor: admin.username,
              createdAt,
              stockAfter: input.stock,
            }
          : undefined;
      return view(
        await store.createProduct({ product, ...(adjustment === undefined ? {} : { adjustment }) }),
      );
    },

    async updateProduct(caller, productId, changes) {
      requireAdmin(caller);
      return view(await store.updateProduct({ id: productId, ...stripUndefined(changes) }));
    },

    async archiveProduct(caller, productId) {
      requireAdmin(caller);
      return view(await store.archiveProduct(productId));
    },

    async adjustStock(caller, productId, input) {
      const admin = requireAdmin(caller);
      assertAdjustment(input.reason, input.delta);
      const adjustment = await store.adjustStock({
        id: ids.newId(),
        productId,
        delta: input.delta,
        reason: input.reason,
        ...(input.note === undefined ? {} : { note: input.note }),
        actor: admin.username,
        createdAt: clock.now().toISOString(),
      });
      return stockAdjustmentView(adjustment);
    },

    async listStockAdjustments(caller, productId, page) {
      requireAdmin(caller);
      const trail = await store.listStockAdjustments(
        productId,
        pageRequest("stockAdjustments", page),
      );
      return {
        items: trail.items.map(stockAdjustmentView),
        nextCursor: nextCursorOf("stockAdjustments", trail.next),
      };
    },

    async createImageUpload(caller, request) {
      requireAdmin(caller);
      return uploads.createUpload(request);
    },

    async figures(caller) {
      requireAdmin(caller);
      const now = clock.now();
      const [figures, products] = await Promise.all([
        store.productFigures(now),
        store.listAllProducts(),
      ]);
      const byId = new Map(products.map((product) => [product.id, product]));
      return {
        generatedAt: now.toISOString(),
        products: figures.flatMap((figure) => {
          const product = byId.get(figure.productId);
          if (product === undefined) return [];
          return [
            {
              id: product.id,
              name: product.name,
              stock: product.stock,
              unitsInCarts: figure.unitsInCarts,
              unitsSold24h: figure.unitsSold24h,
              unitsSold7d: figure.unitsSold7d,
            },
          ];
        }),
      };
    },
  };
}

/** The changes without absent fields, as the store's exact optional types want them. */
function stripUndefined(changes: ProductChanges): {
  name?: string;
  description?: string;
  priceCents?: number;
  imageUrl?: string;
} {
  return {
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.description === undefined ? {} : { description: changes.description }),
    ...(changes.priceCents === undefined ? {} : { priceCents: changes.priceCents }),
    ...(changes.imageUrl === undefined ? {} : { imageUrl: changes.imageUrl }),
  };
}
