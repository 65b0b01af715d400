// The operators' GraphQL lists take the shoppers' `first` and `after`, and refuse an edited or
// another list's cursor naming `after`.
import { describe, expect, it } from "vitest";
import { startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

function gql(token: string, query: string, variables: object) {
  return t.invoke({ method: "POST", resource: "/graphql", token, body: { query, variables } });
}

const ORDERS =
  "query ($after: String) { adminOrders(first: 2, after: $after) { items { id } nextCursor } }";
const TRAIL =
  'query ($after: String) { stockAdjustments(productId: "lonely-bird", first: 2, after: $after) ' +
  "{ items { delta } nextCursor } }";

describe("the operators' GraphQL lists page with first and after", () => {
  it("pages every order and a stock trail to the last page; an edited cursor names after", async () => {
    await start();
    const operator = await t.mintAdmin();
    const customer = await t.signup();
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      await t.saveCart(customer.token, [["copper-kettle", 1]]);
      placed.push((await t.checkout(customer.token, `gql-admin-paging-${i}`)).json.id);
      await gql(
        operator,
        'mutation { adjustStock(productId: "lonely-bird", delta: 1, reason: "restock") { id } }',
        {},
      );
    }

    const ids: string[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res = await gql(operator, ORDERS, { after });
      expect(res.json.errors).toBeUndefined();
      ids.push(...res.json.data.adminOrders.items.map((order: { id: string }) => order.id));
      after = res.json.data.adminOrders.nextCursor;
      if (after === null) break;
      cursors.push(after);
    }
    expect(ids.sort()).toEqual([...placed].sort());
    expect(cursors).toHaveLength(1);

    const trail = await gql(operator, TRAIL, { after: null });
    expect(trail.json.data.stockAdjustments.items).toHaveLength(2);
    const trailCursor: string = trail.json.data.stockAdjustments.nextCursor;
    const rest = await gql(operator, TRAIL, { after: trailCursor });
    expect(rest.json.data.stockAdjustments).toEqual({ items: [{ delta: 1 }], nextCursor: null });

    const ordersCursor = cursors[0] ?? "";
    const editedCursor = `${ordersCursor.slice(0, 3)}${ordersCursor[3] === "A" ? "B" : "A"}${ordersCursor.slice(4)}`;
    for (const [query, bad] of [
      [ORDERS, editedCursor],
      [ORDERS, trailCursor],
      [TRAIL, ordersCursor],
    ] as const) {
      const res = await gql(operator, query, { after: bad });
      expect(res.json.errors?.[0]?.extensions?.code, bad).toBe("BAD_USER_INPUT");
      expect(res.json.errors[0].extensions.fields).toEqual([
        { field: "after", message: expect.any(String) },
      ]);
    }
  });
});
