import { relative } from "node:path";
import { writeWebApiTypes } from "./api-types.js";

// `npm run generate:api-types`: the storefront's API types from the route table's OpenAPI
// document (scripts/api-types.ts). `npm run lint` and `npm run build:web` run it first.
const file = await writeWebApiTypes();
console.log(`API types written to ${relative(process.cwd(), file)}`);
