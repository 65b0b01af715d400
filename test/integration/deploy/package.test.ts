import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHITECTURES, type Architecture, functionsOf } from "../../../src/deploy/index.js";
import { ROUTES, type Route } from "../../../src/http/index.js";
import { TABLE_DEFINITION } from "../../../src/store/dynamodb-table.js";

// `npm run package` as a user runs it: esbuild bundles, then `osls package` for each
// architecture, offline. The CloudFormation it writes is read back and checked against the
// route table, so the descriptor and the table cannot drift apart unnoticed.

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}
type Template = { Resources: Record<string, CfnResource> };

const templates = new Map<Architecture, Template>();
const packageDir = (architecture: Architecture) => `dist/package/${architecture}`;

beforeAll(() => {
  const result = spawnSync("npm", ["run", "package"], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`npm run package failed:\n${result.stdout}\n${result.stderr}`);
  }
  for (const architecture of ARCHITECTURES) {
    const file = `${packageDir(architecture)}/cloudformation-template-update-stack.json`;
    templates.set(architecture, JSON.parse(readFileSync(file, "utf8")) as Template);
  }
}, 240_000);

const template = (architecture: Architecture): Template => {
  const found = templates.get(architecture);
  if (found === undefined) throw new Error(`no template for ${architecture}`);
  return found;
};

const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, resource]) => resource.Type === type);

/** The routes a deployment serves: everything but the local issuer's routes. */
const deployed = ROUTES.filter((route) => route.localOnly !== true);
const restRoutes = deployed.filter((route) => route.group !== "graphql");
const graphqlRoutes = deployed.filter((route) => route.group === "graphql");

/** API Gateway resource paths, rebuilt from the Resource tree the template declares. */
function resourcePaths(t: Template): Map<string, string> {
  const paths = new Map<string, string>();
  const resolve = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const properties = t.Resources[id]?.Properties ?? {};
    const parent = properties.ParentId as { Ref?: string };
    const prefix = parent.Ref === undefined ? "" : resolve(parent.Ref);
    const path = `${prefix}/${String(properties.PathPart)}`;
    paths.set(id, path);
    return path;
  };
  for (const [id] of ofType(t, "AWS::ApiGateway::Resource")) resolve(id);
  return paths;
}

interface DeployedMethod {
  key: string;
  /** Logical id of the Lambda function behind it. */
  functionId: string;
  authorization: string;
  scopes: unknown;
}

function methodsOf(t: Template): DeployedMethod[] {
  const paths = resourcePaths(t);
  return ofType(t, "AWS::ApiGateway::Method").map(([, { Properties: p }]) => {
    const resourceRef = (p.ResourceId as { Ref?: string }).Ref;
    const path = resourceRef === undefined ? "/" : (paths.get(resourceRef) ?? "?");
    const functionId = /"Fn::GetAtt":\["(\w+)LambdaFunction","Arn"\]/.exec(
      JSON.stringify(p.Integration),
    )?.[1];
    return {
      key: `${String(p.HttpMethod)} ${path}`,
      functionId: functionId ?? "none",
      authorization: String(p.AuthorizationType),
      scopes: p.AuthorizationScopes,
    };
  });
}

const upperFirst = (name: string) => (name[0]?.toUpperCase() ?? "") + name.slice(1);

/** The IAM actions of a function's role, all statements together. */
function actionsOf(t: Template, functionName: string): string[] {
  const role = t.Resources[`${upperFirst(functionName)}Role`];
  const policies = (role?.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: { Action: string | string[] }[] };
  }[];
  return policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
  );
}

const WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

describe.each(ARCHITECTURES)("the %s architecture, packaged offline", (architecture) => {
  const served = architecture === "graph" ? graphqlRoutes : restRoutes;

  it("has the number of functions the architecture calls for", () => {
    const expected = {
      nano: restRoutes.length,
      micro: new Set(restRoutes.map((route) => route.group)).size,
      monolith: 1,
      graph: 1,
    }[architecture];
    expect(ofType(template(architecture), "AWS::Lambda::Function")).toHaveLength(expected);
    expect(functionsOf(architecture)).toHaveLength(expected);
  });

  it("has an API Gateway method for every route it serves, and no other", () => {
    const keys = methodsOf(template(architecture)).map((method) => method.key);
    const routeKeys = served.map((route) => `${route.method} ${route.resource}`);
    const preflights = [...new Set(served.map((route) => `OPTIONS ${route.resource}`))];
    expect(keys.sort()).toEqual([...routeKeys, ...preflights].sort());
  });

  it("sends each route to the function the route table gives it", () => {
    const methods = new Map(methodsOf(template(architecture)).map((m) => [m.key, m]));
    for (const spec of functionsOf(architecture)) {
      for (const route of spec.routes) {
        expect(methods.get(`${route.method} ${route.resource}`)?.functionId).toBe(
          upperFirst(spec.name),
        );
      }
    }
  });

  it("puts the Cognito authorizer on the routes that need a user, and only there", () => {
    const methods = new Map(methodsOf(template(architecture)).map((m) => [m.key, m]));
    const required = (route: Route) => route.auth === "required";
    for (const route of served) {
      const method = methods.get(`${route.method} ${route.resource}`);
      expect(method?.authorization, `${route.method} ${route.resource}`).toBe(
        required(route) ? "COGNITO_USER_POOLS" : "NONE",
      );
      if (required(route)) expect(method?.scopes).toEqual(["aws.cognito.signin.user.admin"]);
    }
    for (const method of methodsOf(template(architecture))) {
      if (method.key.startsWith("OPTIONS ")) expect(method.authorization).toBe("NONE");
    }
    const authorizers = ofType(template(architecture), "AWS::ApiGateway::Authorizer");
    expect(authorizers).toHaveLength(served.some(required) ? 1 : 0);
    for (const [, authorizer] of authorizers) {
      expect(authorizer.Properties.Type).toBe("COGNITO_USER_POOLS");
      expect(authorizer.Properties.ProviderARNs).toEqual([{ "Fn::GetAtt": ["UserPool", "Arn"] }]);
    }
  });

  it("declares the store's table with the adapter's keys, on demand, with point-in-time recovery", () => {
    const tables = ofType(template(architecture), "AWS::DynamoDB::Table");
    expect(tables).toHaveLength(1);
    const table = tables[0]?.[1].Properties ?? {};
    expect(table.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
    expect(table.AttributeDefinitions).toEqual(TABLE_DEFINITION.AttributeDefinitions);
    expect(table.GlobalSecondaryIndexes).toEqual(TABLE_DEFINITION.GlobalSecondaryIndexes);
    expect(table.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it("gives every function a role of its own with the least store access its routes need", () => {
    const t = template(architecture);
    for (const spec of functionsOf(architecture)) {
      const actions = actionsOf(t, spec.name);
      const writes = spec.routes.some((route) => route.store === "write");
      const reads = spec.routes.some((route) => route.store !== "none");
      expect(actions).toContain("logs:PutLogEvents");
      expect(actions.includes("dynamodb:Query"), spec.name).toBe(reads);
      expect(
        actions.some((action) => WRITES.includes(action)),
        spec.name,
      ).toBe(writes);
      expect(actions.some((action) => action === "dynamodb:*" || action === "*")).toBe(false);
      const fn = t.Resources[`${upperFirst(spec.name)}LambdaFunction`]?.Properties ?? {};
      expect(fn.Role).toEqual({ "Fn::GetAtt": [`${upperFirst(spec.name)}Role`, "Arn"] });
      expect(fn.Runtime).toBe("nodejs22.x");
      expect(fn.Architectures).toEqual(["arm64"]);
    }
  });

  it("keeps every function's logs for a limited time", () => {
    const groups = ofType(template(architecture), "AWS::Logs::LogGroup");
    expect(groups).toHaveLength(functionsOf(architecture).length);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(14);
  });

  it("zips each function's own bundle, with its handler file", () => {
    for (const spec of functionsOf(architecture)) {
      const zip = readFileSync(`${packageDir(architecture)}/${spec.name}.zip`);
      // Zip entries keep their names as plain text in the central directory.
      expect(zip.includes(`dist/functions/${spec.name}/index.mjs`)).toBe(true);
      expect(zip.includes(".mjs.map")).toBe(false);
      for (const other of functionsOf(architecture)) {
        if (other.name !== spec.name) {
          expect(zip.includes(`dist/functions/${other.name}/`)).toBe(false);
        }
      }
    }
  });
});

describe("the nanoservices architecture", () => {
  it("gives the function that reads products no permission to write", () => {
    const actions = actionsOf(template("nano"), "getProducts");
    expect(actions).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]),
    );
    for (const write of [...WRITES, "dynamodb:ConditionCheckItem"]) {
      expect(actions).not.toContain(write);
    }
  });

  it("gives the OpenAPI document's function no store access at all", () => {
    expect(
      actionsOf(template("nano"), "getOpenapiJson").some((a) => a.startsWith("dynamodb:")),
    ).toBe(false);
  });
});
