// The operators' lists page as the shoppers' do: `limit` and the `nextCursor` a page answered,
// checksummed, so an edited, hand-made or another list's cursor is a 400 naming `cursor`.
import { describe, expect, it } from "vitest";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const STOCK = "/admin/products/{id}/stock-adjustments";

/** Every page of `path` (a query string of its own), `limit` at a time: the items and the pages. */
async function pageThrough(token: string, resource: string, query: Record<string, string>) {
  const items: { id: string }[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const res = await t.invoke({
      method: "GET",
      resource,
      pathParameters: { id: "lonely-bird" },
      token,
      query: { ...query, ...(cursor === null ? {} : { cursor }) },
    });
    expect(res.statusCode).toBe(200);
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);
  return { items, pages };
}

/** `cursor` with one character of its payload changed. */
const edited = (cursor: string) =>
  `${cursor.slice(0, 3)}${cursor[3] === "A" ? "B" : "A"}${cursor.slice(4)}`;

/** A cursor as the store once made them: the position alone, in base64url, unchecked. */
const handMade = Buffer.from(JSON.stringify(["9999-12-31T00:00:00.000Z", "z"]), "utf8").toString(
  "base64url",
);

describe("the operators' lists page with the shoppers' checksummed cursors", () => {
  it("pages every order and a product's stock trail, newest first, to the last page", async () => {
    await start();
    const operator = await t.mintAdmin();
    const customer = await t.signup();
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      await t.saveCart(customer.token, [["copper-kettle", 1]]);
      placed.push((await t.checkout(customer.token, `admin-paging-${i}`)).json.id);
    }
    for (let delta = 1; delta <= 4; delta++) {
      const res = await t.invoke({
        method: "POST",
        resource: STOCK,
        pathParameters: { id: "lonely-bird" },
        token: operator,
        body: { delta, reason: "restock" },
      });
      expect(res.statusCode).toBe(201);
    }

    const orders = await pageThrough(operator, "/admin/orders", { limit: "2" });
    expect(orders.items.map((order) => order.id).sort()).toEqual([...placed].sort());
    expect(orders.pages).toBe(3);
    const placedOnly = await pageThrough(operator, "/admin/orders", {
      limit: "2",
      status: "PLACED",
    });
    expect(placedOnly.items.map((order) => order.id)).toEqual(orders.items.map((o) => o.id));

    const trail = await pageThrough(operator, STOCK, { limit: "3" });
    // The seeded product has no trail of its own: the four restocks (ties in time go by id).
    const deltas = trail.items.map((item) => (item as unknown as { delta: number }).delta);
    expect(deltas.sort()).toEqual([1, 2, 3, 4]);
    expect(trail.pages).toBe(2);
  });

  it("refuses an edited, hand-made or another list's cursor with a 400 naming cursor", async () => {
    await start();
    const operator = await t.mintAdmin();
    const customer = await t.signup();
    for (let i = 0; i < 3; i++) {
      await t.saveCart(customer.token, [["copper-kettle", 1]]);
      await t.checkout(customer.token, `admin-tamper-${i}`);
      await t.invoke({
        method: "POST",
        resource: STOCK,
        pathParameters: { id: "lonely-bird" },
        token: operator,
        body: { delta: 1, reason: "restock" },
      });
    }
    const ask = (resource: string, query: Record<string, string>) =>
      t.invoke({
        method: "GET",
        resource,
        pathParameters: { id: "lonely-bird" },
        token: operator,
        query,
      });
    const ordersCursor: string = (await ask("/admin/orders", { limit: "1" })).json.nextCursor;
    const trailCursor: string = (await ask(STOCK, { limit: "1" })).json.nextCursor;
    const shopperCursor: string = (
      await t.invoke({
        method: "GET",
        resource: "/orders",
        token: customer.token,
        query: { limit: "1" },
      })
    ).json.nextCursor;
    expect([ordersCursor, trailCursor, shopperCursor]).toEqual([
      expect.any(String),
      expect.any(String),
      expect.any(String),
    ]);

    const refusals = [
      ["/admin/orders", edited(ordersCursor)],
      ["/admin/orders", handMade],
      ["/admin/orders", trailCursor],
      ["/admin/orders", shopperCursor],
      [STOCK, edited(trailCursor)],
      [STOCK, handMade],
      [STOCK, ordersCursor],
    ] as const;
    for (const [resource, cursor] of refusals) {
      const res = await ask(resource, { cursor });
      const problem = expectProblem(res, 400, "VALIDATION_FAILED");
      expect(problem.errors, `${resource} ?cursor=${cursor}`).toEqual([
        { field: "cursor", message: expect.any(String) },
      ]);
    }
    const tooMany = await ask("/admin/orders", { limit: "101" });
    expect(expectProblem(tooMany, 400, "VALIDATION_FAILED").errors?.[0]?.field).toBe("limit");
  });
});
