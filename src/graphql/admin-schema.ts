import { SHIPMENT_LIMITS } from "../services/index.js";

/**
 * The operators' part of the schema: every field and mutation here answers UNAUTHENTICATED
 * without a token and FORBIDDEN outside the `admin` group, as the REST admin routes do.
 */
export const ADMIN_SDL = /* GraphQL */ `
  extend type Query {
    "Every product, archived ones too (operators only)."
    adminProducts: [ManagedProduct!]!
    "A page of a product's stock adjustments, newest first (first: 1 to 100, default 20; after: a nextCursor) (operators only)."
    stockAdjustments(productId: ID!, first: Int, after: String): StockAdjustmentPage!
    "Every promotion code with its uses (operators only)."
    adminPromotions: [PromotionCode!]!
    "A page of every user's orders, newest first, optionally of one status (first and after as for stockAdjustments) (operators only)."
    adminOrders(status: String, first: Int, after: String): AdminOrderPage!
    adminOrder(id: ID!): AdminOrder
    "A page of the paid (COMPLETED) orders waiting to ship, oldest first (first and after as for stockAdjustments) (operators only)."
    shippingQueue(first: Int, after: String): AdminOrderPage!
    "Units in carts and sold in the last 24 h / 7 d per product (operators only)."
    operatorFigures: OperatorFigures!
    "The shipping zones and methods, with the version to save from (operators only)."
    shippingSettings: ShippingSettings!
    "The tax rates, mode and taxShipping, with the version to save from (operators only)."
    taxSettings: TaxSettings!
  }

  extend type Mutation {
    createProduct(input: NewProductInput!): ManagedProduct!
    updateProduct(id: ID!, input: ProductChangesInput!): ManagedProduct!
    archiveProduct(id: ID!): ManagedProduct!
    adjustStock(productId: ID!, delta: Int!, reason: String!, note: String): StockAdjustment!
    createImageUpload(contentType: String!, bytes: Int!): ImageUpload!
    createPromotion(input: NewPromotionInput!): PromotionCode!
    updatePromotion(code: String!, input: PromotionDefinitionInput!): PromotionCode!
    deactivatePromotion(code: String!): PromotionCode!
    "Cancel any PLACED, PROCESSING or paid (COMPLETED) order (operators only): stock back, a paid order refunded. The error's reason is ORDER_NOT_CANCELLABLE (code CONFLICT) in any other state, SHIPPED and DELIVERED included."
    cancelOrder(id: ID!): CancelledOrder!
    "Mark a paid (COMPLETED) order SHIPPED, shipped now (operators only): its owner is told over the WebSocket and by e-mail. The error's reason is ORDER_NOT_SHIPPABLE (code CONFLICT), naming its state, in any other state."
    shipOrder(id: ID!, input: ShipmentInput!): AdminOrder!
    "Mark a SHIPPED order DELIVERED, delivered now (operators only); ORDER_NOT_SHIPPABLE as shipOrder in any other state."
    markOrderDelivered(id: ID!): AdminOrder!
    "Replace the shipping zones and methods, from the version read; CONFLICT (SETTINGS_CHANGED) when another save replaced it since."
    saveShippingSettings(input: ShippingSettingsInput!): ShippingSettings!
    "Replace the tax rates (ratePpm: 19 % is 190000), mode (inclusive or exclusive) and taxShipping, from the version read."
    saveTaxSettings(input: TaxSettingsInput!): TaxSettings!
    "Cancel one of your own orders while it is PLACED."
    cancelMyOrder(id: ID!): Order!
  }

  type ManagedProduct {
    id: ID!
    name: String!
    description: String!
    imageUrl: String!
    priceCents: Int!
    currency: String!
    stock: Int!
    archived: Boolean!
  }

  input NewProductInput {
    id: ID
    name: String!
    description: String
    priceCents: Int!
    imageUrl: String!
    stock: Int!
  }

  input ProductChangesInput {
    name: String
    description: String
    priceCents: Int
    imageUrl: String
  }

  type StockAdjustment {
    id: ID!
    productId: ID!
    delta: Int!
    reason: String!
    note: String
    actor: String!
    createdAt: String!
    stockAfter: Int!
  }

  type StockAdjustmentPage {
    items: [StockAdjustment!]!
    "Pass as after for the next page; null on the last page."
    nextCursor: String
  }

  type ImageUpload {
    uploadUrl: String!
    method: String!
    contentType: String!
    imageUrl: String!
    expiresAt: String!
  }

  type PromotionCode {
    code: String!
    percentOff: Int!
    validFrom: String
    validUntil: String
    maxUses: Int
    maxUsesPerCustomer: Int
    active: Boolean!
    uses: Int!
  }

  input PromotionDefinitionInput {
    percentOff: Int!
    validFrom: String
    validUntil: String
    maxUses: Int
    maxUsesPerCustomer: Int
    active: Boolean
  }

  input NewPromotionInput {
    code: String!
    percentOff: Int!
    validFrom: String
    validUntil: String
    maxUses: Int
    maxUsesPerCustomer: Int
    active: Boolean
  }

  type AdminOrder {
    id: ID!
    userId: ID!
    "As Order's status."
    status: String!
    failureReason: String
    products: [Product!]!
    promotionCode: String
    subtotalCents: Int!
    discountCents: Int!
    totalCents: Int!
    currency: String!
    createdAt: String!
    "Null until the order is SHIPPED."
    shipment: Shipment
    "When it was delivered; null until the order is DELIVERED."
    deliveredAt: String
  }

  "What an operator records when an order ships."
  input ShipmentInput {
    "1 to ${SHIPMENT_LIMITS.carrier} characters."
    carrier: String!
    "1 to ${SHIPMENT_LIMITS.trackingNumber} letters, digits, spaces and -."
    trackingNumber: String!
    "An absolute https: URL (at most ${SHIPMENT_LIMITS.trackingUrl} characters) where the customer follows the parcel."
    trackingUrl: String
  }

  type AdminOrderPage {
    items: [AdminOrder!]!
    "Pass as after for the next page; null on the last page."
    nextCursor: String
  }

  type CancelledOrder {
    order: AdminOrder!
    "Cents given back to the customer; null when the order was never paid."
    refundedCents: Int
  }

  type ProductFigures {
    id: ID!
    name: String!
    stock: Int!
    unitsInCarts: Int!
    unitsSold24h: Int!
    unitsSold7d: Int!
  }

  type OperatorFigures {
    generatedAt: String!
    products: [ProductFigures!]!
  }

  type ShippingZone {
    id: ID!
    name: String!
    "ISO 3166-1 alpha-2 codes; a country is in one zone at most."
    countries: [String!]!
  }

  type ShippingMethod {
    id: ID!
    zoneId: ID!
    name: String!
    priceCents: Int!
    "Free when the goods (after discount, before tax) cost at least this."
    freeAboveCents: Int
    minDeliveryDays: Int
    maxDeliveryDays: Int
  }

  type ShippingSettings {
    zones: [ShippingZone!]!
    methods: [ShippingMethod!]!
    version: Int!
    updatedAt: String
  }

  type TaxRate {
    country: String!
    "A region's rate applies on top of its country's, as a line of its own."
    region: String
    label: String!
    ratePpm: Int!
  }

  type TaxSettings {
    rates: [TaxRate!]!
    "inclusive (prices include tax) or exclusive (tax added on top)."
    mode: String!
    taxShipping: Boolean!
    version: Int!
    updatedAt: String
  }

  input ShippingZoneInput {
    id: ID!
    name: String!
    countries: [String!]!
  }

  input ShippingMethodInput {
    id: ID!
    zoneId: ID!
    name: String!
    priceCents: Int!
    freeAboveCents: Int
    minDeliveryDays: Int
    maxDeliveryDays: Int
  }

  input ShippingSettingsInput {
    zones: [ShippingZoneInput!]!
    methods: [ShippingMethodInput!]!
    version: Int!
  }

  input TaxRateInput {
    country: String!
    region: String
    label: String!
    ratePpm: Int!
  }

  input TaxSettingsInput {
    rates: [TaxRateInput!]!
    mode: String!
    taxShipping: Boolean!
    version: Int!
  }
`;
