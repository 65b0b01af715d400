/**
 * The operators' part of the schema: every field and mutation here answers UNAUTHENTICATED
 * without a token and FORBIDDEN outside the `admin` group, as the REST admin routes do.
 */
export const ADMIN_SDL = /* GraphQL */ `
  extend type Query {
    "Every product, archived ones too (operators only)."
    adminProducts: [ManagedProduct!]!
    "A product's stock adjustments, newest first (operators only)."
    stockAdjustments(productId: ID!, limit: Int, cursor: String): StockAdjustmentPage!
    "Every promotion code with its uses (operators only)."
    adminPromotions: [PromotionCode!]!
    "Every user's orders, newest first (operators only)."
    adminOrders(status: String, limit: Int, cursor: String): AdminOrderPage!
    adminOrder(id: ID!): AdminOrder
    "Units in carts and sold in the last 24 h / 7 d per product (operators only)."
    operatorFigures: OperatorFigures!
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
    "Cancel any PLACED or PROCESSING order (operators only): stock back, a paid order refunded."
    cancelOrder(id: ID!): CancelledOrder!
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
    status: String!
    failureReason: String
    products: [Product!]!
    promotionCode: String
    subtotalCents: Int!
    discountCents: Int!
    totalCents: Int!
    currency: String!
    createdAt: String!
  }

  type AdminOrderPage {
    items: [AdminOrder!]!
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
`;
