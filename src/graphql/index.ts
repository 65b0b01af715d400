// Types only: the executor loads graphql-js, so compose/ imports `./executor.js` by path, on the
// first GraphQL request.
export type { GraphqlExecutor, GraphqlRequest } from "./executor.js";
