import { marshall } from "@aws-sdk/util-dynamodb";
import type { Comment, Product } from "../../src/domain/index.js";
import type { DynamoDbClient } from "../../src/store/dynamodb/client.js";
import { commentItem, productItem } from "../../src/store/dynamodb/items.js";

const BATCH_WRITE_MAX_ITEMS = 25;
/** BatchWriteItem calls in flight at once: DynamoDB Local takes them faster side by side. */
const CONCURRENT_BATCHES = 8;

/** Product `index` of a generated catalogue: ids sort in index order (`product-00042`). */
export function generatedProduct(index: number): Product {
  return {
    id: `product-${String(index).padStart(5, "0")}`,
    name: `Product ${index}`,
    description: `Generated product number ${index}, for counting what a read costs.`,
    imageUrl: `/images/product-${index}.svg`,
    priceCents: 1000 + (index % 90) * 100,
    stock: 1_000_000,
  };
}

function generatedComment(product: Product, n: number): Comment {
  return {
    id: `comment-${product.id}-${n}`,
    productId: product.id,
    author: "Bench Reader",
    rating: 1 + (n % 5),
    text: `Comment ${n} on ${product.name}.`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  };
}

/**
 * Writes products `from` to `to - 1` of the generated catalogue into `tableName` (which must
 * exist), each with `commentsOf(index)` comments, in BatchWriteItem calls of 25 items, several at
 * a time; unprocessed items are sent again.
 */
export async function seedGeneratedCatalogue(
  client: DynamoDbClient,
  tableName: string,
  range: { from: number; to: number },
  commentsOf: (index: number) => number = () => 0,
): Promise<void> {
  const items: Record<string, unknown>[] = [];
  for (let index = range.from; index < range.to; index++) {
    const product = generatedProduct(index);
    items.push(productItem(product, index));
    for (let n = 0; n < commentsOf(index); n++)
      items.push(commentItem(generatedComment(product, n)));
  }
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += BATCH_WRITE_MAX_ITEMS) {
    batches.push(items.slice(start, start + BATCH_WRITE_MAX_ITEMS));
  }
  const write = async (batch: Record<string, unknown>[]) => {
    let requests: unknown[] = batch.map((item) => ({ PutRequest: { Item: marshall(item) } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await client.send<{
        UnprocessedItems?: Record<string, unknown[]>;
      }>("BatchWriteItem", { RequestItems: { [tableName]: requests } });
      requests = UnprocessedItems?.[tableName] ?? [];
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      if (batch !== undefined) await write(batch);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
}
