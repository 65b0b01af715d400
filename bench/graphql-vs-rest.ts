import { compose, loadConfig } from "../src/compose/index.js";
import { apiEvent } from "../test/helpers/api-event.js";
import { compareInterleaved, opsPerSecond } from "./measure.js";

// The same cart read through REST (`GET /cart`) and through GraphQL (`{ cart { ... } }` asking
// for the same fields), handler-level with API Gateway events on the memory store, in one run.
// Command: npx tsx bench/graphql-vs-rest.ts
const app = await compose(loadConfig({ STORE: "memory", LOG_REQUESTS: "false" }));
const credentials = { email: "bench@example.com", password: "correct horse battery" };
await app.services.auth.signup(credentials);
const token = (await app.services.auth.login(credentials)).accessToken;
const caller = { userId: "", username: "", groups: [] as string[] };
caller.userId = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).sub;
await app.services.carts.saveCart(caller, {
  products: [
    { id: "lonely-bird", quantity: 2 },
    { id: "solid-friendship", quantity: 1 },
    { id: "linen-notebook", quantity: 3 },
  ],
  promotionCode: "WELCOME10",
});

const rest = apiEvent({ method: "GET", resource: "/cart", token });
const graphql = apiEvent({
  method: "POST",
  resource: "/graphql",
  token,
  body: {
    query:
      "{ cart { products { code name quantity price lineTotalCents } promotionCode discountPercentage subtotalCents discountCents totalCents currency version notices } }",
  },
});
for (const event of [rest, graphql]) {
  const result = await app.handler(event);
  if (result.statusCode !== 200 || result.body.includes('"errors"')) {
    throw new Error(`the benchmark request failed: ${result.body}`);
  }
}

const events = { subject: graphql, baseline: rest };
for (const event of [rest, graphql]) await opsPerSecond(() => app.handler(event), 1000);
const comparison = await compareInterleaved(5, (which) =>
  opsPerSecond(() => app.handler(events[which]), 1000),
);
await app.close();

const format = (n: number) => Math.round(n).toLocaleString("en-US");
console.log("| read of one cart (3 lines, a promotion) | ops/s (median of 5 rounds) |");
console.log("| --- | --- |");
console.log(`| REST \`GET /cart\` | ${format(comparison.baselineMedian)} |`);
console.log(`| GraphQL \`{ cart { ... } }\`, same fields | ${format(comparison.subjectMedian)} |`);
console.log(`| GraphQL / REST | ${comparison.ratio.toFixed(2)}x |`);
