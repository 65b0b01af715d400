// The routers people put in front of a Lambda function, for the cold-start benchmark: each peer
// is one small handler serving `GET /products/{id}` with CORS, built twice by the benchmark, with
// esbuild as scripts/build.ts builds the functions: once as the router alone (column a, answered
// with a preflight), once with one GetItem through the AWS SDK v3 DynamoDB DocumentClient in
// that route (column b). The plain switch's store request is one unsigned `node:http` POST: the
// least any store request can cost. The SDK peer is the plain switch with the DocumentClient.

export interface Peer {
  name: string;
  /** The module's source, without (`a`) or with (`b`) the store request in its GET route. */
  source(withStore: boolean): string;
}

/** The allowed origin every peer's CORS names, and the one the preflights come from. */
export const PEER_ORIGIN = "https://shop.example";
const TABLE = JSON.stringify("cold-start-bench");
const KEY = `{ PK: "PRODUCT#" + id, SK: "PRODUCT" }`;

/** The naive DocumentClient set-up, at module top level as the SDK's guide writes it. */
const SDK_CLIENT = [
  `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";`,
  `import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";`,
  `const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));`,
  `const getProduct = async (id) => (await documents.send(new GetCommand({ TableName: ${TABLE}, Key: ${KEY} }))).Item ?? null;`,
].join("\n");

/** One unsigned GetItem over `node:http`: the floor of a store request from a fresh process. */
const BARE_HTTP_CLIENT = [
  `import { request } from "node:http";`,
  "const getProduct = (id) => new Promise((resolve, reject) => {",
  `  const body = JSON.stringify({ TableName: ${TABLE}, Key: { PK: { S: "PRODUCT#" + id }, SK: { S: "PRODUCT" } } });`,
  "  const req = request(process.env.DYNAMODB_ENDPOINT, { method: 'POST', headers: {",
  "    'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.GetItem',",
  "    'Content-Length': Buffer.byteLength(body) } }, (res) => {",
  "    let text = ''; res.setEncoding('utf8'); res.on('data', (c) => { text += c; });",
  "    res.on('end', () => resolve(JSON.parse(text).Item ?? null));",
  "  });",
  "  req.on('error', reject); req.end(body);",
  "});",
].join("\n");

const NO_STORE = "const getProduct = async (id) => ({ id });";

const switchSource = (client: string) => (withStore: boolean) =>
  [
    withStore ? client : NO_STORE,
    `const cors = { "Access-Control-Allow-Origin": ${JSON.stringify(PEER_ORIGIN)}, Vary: "Origin" };`,
    "export const handler = async (event) => {",
    "  switch (event.httpMethod + ' ' + event.resource) {",
    "    case 'OPTIONS /products/{id}':",
    "      return { statusCode: 204, headers: { ...cors, 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Allow-Headers': 'Authorization, Content-Type' }, body: '' };",
    "    case 'GET /products/{id}': {",
    "      const product = await getProduct(event.pathParameters.id);",
    "      return product === null",
    "        ? { statusCode: 404, headers: cors, body: JSON.stringify({ title: 'Not Found' }) }",
    "        : { statusCode: 200, headers: { ...cors, 'Content-Type': 'application/json' }, body: JSON.stringify(product) };",
    "    }",
    "    default:",
    "      return { statusCode: 404, headers: cors, body: '' };",
    "  }",
    "};",
  ].join("\n");

export const PEERS: readonly Peer[] = [
  { name: "switch", source: switchSource(BARE_HTTP_CLIENT) },
  {
    name: "middy",
    source: (withStore) =>
      [
        `import middy from "@middy/core";`,
        `import httpJsonBodyParser from "@middy/http-json-body-parser";`,
        `import httpCors from "@middy/http-cors";`,
        `import httpErrorHandler from "@middy/http-error-handler";`,
        withStore ? SDK_CLIENT : NO_STORE,
        "const base = async (event) => {",
        "  if (event.httpMethod === 'OPTIONS') return { statusCode: 204, body: '' };",
        "  const product = await getProduct(event.pathParameters.id);",
        "  return product === null ? { statusCode: 404, body: '' } : { statusCode: 200, body: JSON.stringify(product) };",
        "};",
        "export const handler = middy(base)",
        "  .use(httpJsonBodyParser({ disableContentTypeError: true }))",
        `  .use(httpCors({ origins: [${JSON.stringify(PEER_ORIGIN)}] }))`,
        "  .use(httpErrorHandler());",
      ].join("\n"),
  },
  {
    name: "hono",
    source: (withStore) =>
      [
        `import { Hono } from "hono";`,
        `import { handle } from "hono/aws-lambda";`,
        `import { cors } from "hono/cors";`,
        withStore ? SDK_CLIENT : NO_STORE,
        "const app = new Hono();",
        `app.use(cors({ origin: ${JSON.stringify(PEER_ORIGIN)} }));`,
        "app.get('/products/:id', async (c) => {",
        "  const product = await getProduct(c.req.param('id'));",
        "  return product === null ? c.json({ title: 'Not Found' }, 404) : c.json(product);",
        "});",
        "export const handler = handle(app);",
      ].join("\n"),
  },
  {
    name: "powertools",
    source: (withStore) =>
      [
        `import { Router, NotFoundError } from "@aws-lambda-powertools/event-handler/http";`,
        `import { cors } from "@aws-lambda-powertools/event-handler/http/middleware";`,
        withStore ? SDK_CLIENT : NO_STORE,
        "const app = new Router();",
        `app.use(cors({ origin: ${JSON.stringify(PEER_ORIGIN)} }));`,
        "app.get('/products/:id', async ({ params }) => {",
        "  const product = await getProduct(params.id);",
        "  if (product === null) throw new NotFoundError('no such product');",
        "  return product;",
        "});",
        "export const handler = (event, context) => app.resolve(event, context);",
      ].join("\n"),
  },
  // Loaded and set up at the top of the module even when the preflight needs no store (a).
  { name: "aws-sdk", source: () => switchSource(SDK_CLIENT)(true) },
];
