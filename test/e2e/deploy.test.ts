import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHITECTURES, type Architecture, functionsOf } from "../../src/deploy/index.js";
import {
  CLIENT_RATE_WINDOW_SECONDS,
  REST_BURST_LIMIT_ID,
  REST_RATE_LIMIT_ID,
  STAGE_LIMITS,
  WEBSOCKET_BURST_LIMIT_ID,
  WEBSOCKET_RATE_LIMIT_ID,
} from "../../src/deploy/limits.js";
import { memorySizeMb } from "../../src/deploy/memory-sizes.js";
import { STACK_OUTPUTS } from "../../src/deploy/serverless-descriptor.js";
import {
  CACHED_PATHS,
  MANAGED_CACHE_POLICY,
  SITE_CONNECT_ORIGINS,
  SITE_ORIGIN,
  SPA_FALLBACK_CODE,
} from "../../src/deploy/site.js";
import { ROUTES, type Route } from "../../src/http/index.js";
import { storefrontContentSecurityPolicy } from "../../src/http/site-files.js";
import { TABLE_DEFINITION } from "../../src/store/dynamodb/table.js";

// `npm run package` as a user runs it: esbuild bundles, then `osls package` for each
// architecture, offline. The CloudFormation it writes is read back and checked against the
// route table, so the descriptor and the table cannot drift apart unnoticed. The bundles run
// under serverless-offline in serverless-offline.test.ts, built in a checkout of their own.

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}
type Template = {
  Parameters?: Record<string, { Type: string; Default: unknown; MinValue?: number }>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
};

const templates = new Map<Architecture, Template>();
const packageDir = (architecture: Architecture) => `dist/package/${architecture}`;
const readTemplate = (dir: string) =>
  JSON.parse(readFileSync(`${dir}/cloudformation-template-update-stack.json`, "utf8")) as Template;

/** `osls package` of one architecture already built, with extra options, as package.ts runs it. */
function oslsPackage(architecture: Architecture, dir: string, options: string[]) {
  return spawnSync(
    process.execPath,
    [
      "node_modules/osls/bin/serverless.js",
      "package",
      `--param=architecture=${architecture}`,
      ...options,
      "--package",
      dir,
    ],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "AKIAPACKAGEONLY00000",
        AWS_SECRET_ACCESS_KEY: "package-only-not-a-secret",
        SLS_TELEMETRY_DISABLED: "1",
        SLS_NOTIFICATIONS_MODE: "off",
      },
    },
  );
}

beforeAll(() => {
  const result = spawnSync("npm", ["run", "package"], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`npm run package failed:\n${result.stdout}\n${result.stderr}`);
  }
  for (const architecture of ARCHITECTURES) {
    templates.set(architecture, readTemplate(packageDir(architecture)));
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
/** Called by another service: served in every architecture, graph's included. */
const webhookRoutes = restRoutes.filter((route) => route.webhook === true);

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

/** The IAM actions a function's role allows, all its Allow statements together. */
function actionsOf(t: Template, functionName: string): string[] {
  const role = t.Resources[`${upperFirst(functionName)}Role`];
  const policies = (role?.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: { Effect: string; Action: string | string[] }[] };
  }[];
  return policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.filter((statement) => statement.Effect === "Allow").flatMap(
      (statement) => statement.Action,
    ),
  );
}

const WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** The resources a resource needs first: its Ref, Fn::GetAtt and Fn::Sub targets and DependsOn. */
function dependenciesOf(t: Template, id: string): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Ref" && typeof inner === "string") found.add(inner);
      else if (key === "Fn::GetAtt" && Array.isArray(inner)) found.add(String(inner[0]));
      else if (key === "Fn::Sub") {
        const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
        for (const match of String(text).matchAll(/\$\{([^}!.]+)/g)) found.add(match[1] ?? "");
        visit(variables);
      } else visit(inner);
    }
  };
  const resource = t.Resources[id];
  visit(resource?.Properties);
  for (const dependency of [resource?.DependsOn ?? []].flat()) found.add(dependency);
  return new Set([...found].filter((dependency) => dependency in t.Resources));
}

/** Every resource `id` needs, directly or not; throws on a cycle (CloudFormation refuses one). */
function needs(t: Template, id: string, path: string[] = []): Set<string> {
  if (path.includes(id)) throw new Error(`dependency cycle: ${[...path, id].join(" -> ")}`);
  const all = new Set<string>();
  for (const dependency of dependenciesOf(t, id)) {
    all.add(dependency);
    for (const further of needs(t, dependency, [...path, id])) all.add(further);
  }
  return all;
}

const envOf = (t: Template, functionId: string): Record<string, unknown> => {
  const environment = t.Resources[functionId]?.Properties.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
};
const ALLOW_ORIGIN = "gatewayresponse.header.Access-Control-Allow-Origin";

describe.each(ARCHITECTURES)("the %s architecture, packaged offline", (architecture) => {
  const served = architecture === "graph" ? [...graphqlRoutes, ...webhookRoutes] : restRoutes;

  it("has the number of functions the architecture calls for", () => {
    // Every architecture adds the WebSocket, order processing and sweeper functions.
    const expected =
      {
        nano: restRoutes.length,
        micro: new Set(restRoutes.map((route) => route.group)).size,
        monolith: 1,
        graph: 1 + new Set(webhookRoutes.map((route) => route.group)).size,
      }[architecture] + 3;
    expect(ofType(template(architecture), "AWS::Lambda::Function")).toHaveLength(expected);
    expect(functionsOf(architecture)).toHaveLength(expected);
  });

  it("has an API Gateway method for every route it serves, and no other", () => {
    const keys = methodsOf(template(architecture)).map((method) => method.key);
    // HEAD goes where GET goes, with the same authorizer: the router answers it as GET.
    const routeKeys = served.flatMap((route) =>
      (route.method === "GET" ? ["GET", "HEAD"] : [route.method]).map(
        (method) => `${method} ${route.resource}`,
      ),
    );
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
    const required = (route: Route) => route.auth === "required" || route.auth === "admin";
    for (const route of served) {
      const method = methods.get(`${route.method} ${route.resource}`);
      expect(method?.authorization, `${route.method} ${route.resource}`).toBe(
        required(route) ? "COGNITO_USER_POOLS" : "NONE",
      );
      if (required(route)) expect(method?.scopes).toEqual(["aws.cognito.signin.user.admin"]);
      if (route.method === "GET") {
        expect(methods.get(`HEAD ${route.resource}`)?.authorization).toBe(method?.authorization);
      }
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
    // The data and the users it is keyed by outlive a removed stack.
    for (const type of ["AWS::DynamoDB::Table", "AWS::Cognito::UserPool"]) {
      const policies = ofType(template(architecture), type).map(([, r]) => r.DeletionPolicy);
      expect(policies, type).toEqual(["Retain"]);
    }
  });

  it("gives every function a role of its own with the least store access its routes need", () => {
    const t = template(architecture);
    for (const spec of functionsOf(architecture).filter((f) => f.trigger === "http")) {
      const actions = actionsOf(t, spec.name);
      const writes = spec.routes.some((route) => route.store === "write");
      const reads = spec.routes.some((route) => route.store !== "none");
      expect(actions).toContain("logs:PutLogEvents");
      expect(actions.includes("dynamodb:Query"), spec.name).toBe(reads);
      expect(
        actions.some((action) => WRITES.includes(action)),
        spec.name,
      ).toBe(writes);
      expect(actions).not.toContain("execute-api:ManageConnections");
    }
    for (const spec of functionsOf(architecture)) {
      const actions = actionsOf(t, spec.name);
      expect(actions.some((action) => action === "dynamodb:*" || action === "*")).toBe(false);
      // Traced functions need to send their segments, or Lambda refuses to create them.
      expect(
        t.Resources[`${upperFirst(spec.name)}LambdaFunction`]?.Properties.TracingConfig,
      ).toEqual({ Mode: "Active" });
      expect(actions).toEqual(
        expect.arrayContaining(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
      );
      const fn = t.Resources[`${upperFirst(spec.name)}LambdaFunction`]?.Properties ?? {};
      expect(fn.Role).toEqual({ "Fn::GetAtt": [`${upperFirst(spec.name)}Role`, "Arn"] });
      expect(fn.Runtime).toBe("nodejs24.x");
      expect(fn.Architectures).toEqual(["arm64"]);
    }
  });

  it("serves the WebSocket API's $connect, $disconnect and $default from one function", () => {
    const t = template(architecture);
    const routes = ofType(t, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      "$connect",
      "$default",
      "$disconnect",
    ]);
    // No gateway authorizer: $connect verifies the token of its query string itself.
    for (const route of routes) expect(route.AuthorizationType).toBe("NONE");
    const integrations = ofType(t, "AWS::ApiGatewayV2::Integration");
    expect(integrations).toHaveLength(1);
    expect(JSON.stringify(integrations[0]?.[1].Properties)).toContain(
      "NotificationsLambdaFunction",
    );
    expect(
      actionsOf(t, "notifications")
        .filter((a) => a.startsWith("dynamodb:"))
        .sort(),
    ).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]);
  });

  it("processes orders from the table's stream, and only orders inserted in PLACED", () => {
    const t = template(architecture);
    const mappings = ofType(t, "AWS::Lambda::EventSourceMapping").map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0] ?? {};
    expect(mapping.EventSourceArn).toEqual({ "Fn::GetAtt": ["StoreTable", "StreamArn"] });
    expect(mapping.FunctionName).toEqual({ "Fn::GetAtt": ["ProcessOrdersLambdaFunction", "Arn"] });
    expect(mapping.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    const filters = (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      {
        eventName: ["INSERT"],
        dynamodb: { NewImage: { type: { S: ["ORDER"] }, status: { S: ["PLACED"] } } },
      },
      // The outbox's messages, sent as they are written.
      { eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["MAIL"] } } } },
    ]);
    // What fails every retry is kept, never dropped with its order.
    expect(JSON.stringify(mapping.DestinationConfig)).toContain("OrderProcessingDeadLetterQueue");
    expect(ofType(t, "AWS::SQS::Queue")).toHaveLength(1);

    const table = ofType(t, "AWS::DynamoDB::Table")[0]?.[1].Properties ?? {};
    expect(table.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });

    const actions = actionsOf(t, "processOrders");
    expect(actions).toEqual(
      expect.arrayContaining([
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:UpdateItem",
        "execute-api:ManageConnections",
        "sqs:SendMessage",
      ]),
    );
    // Its one put is the payment record, in the payments' partition only.
    const role = t.Resources.ProcessOrdersRole?.Properties as {
      Policies: { PolicyDocument: { Statement: { Action: unknown; Condition?: unknown }[] } }[];
    };
    const puts = role.Policies.flatMap((policy) => policy.PolicyDocument.Statement).filter(
      (statement) => String(JSON.stringify(statement.Action)).includes("dynamodb:PutItem"),
    );
    expect(puts.map((statement) => statement.Condition)).toEqual([
      { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["PAYMENT#*"] } },
    ]);
    const fn = t.Resources.ProcessOrdersLambdaFunction?.Properties ?? {};
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.WEBSOCKET_ENDPOINT)).toMatch(
      /https:\/\/\$\{WebsocketsApi\}\.execute-api/,
    );
    expect(fn.Timeout).toBeGreaterThan(10);
  });

  it("sweeps orders stuck in flight on a schedule, and alarms on the stream's DLQ", () => {
    const t = template(architecture);
    const rules = ofType(t, "AWS::Events::Rule").map(([, rule]) => rule.Properties);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.ScheduleExpression).toBe("rate(5 minutes)");
    expect(JSON.stringify(rules[0]?.Targets)).toContain("SweepOrdersLambdaFunction");
    const fn = t.Resources.SweepOrdersLambdaFunction?.Properties ?? {};
    expect(fn.Timeout).toBeGreaterThanOrEqual(60);
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.WEBSOCKET_ENDPOINT)).toMatch(/WebsocketsApi/);
    const actions = actionsOf(t, "sweepOrders");
    expect(actions).toContain("dynamodb:Query");
    expect(actions).not.toContain("dynamodb:GetRecords");
    expect(actions).not.toContain("sqs:SendMessage");
    const alarms = Object.fromEntries(ofType(t, "AWS::CloudWatch::Alarm"));
    expect(Object.keys(alarms)).toEqual(
      expect.arrayContaining(["OrderProcessingDeadLetterAlarm", "SweepOrdersErrorsAlarm"]),
    );
    const dlq = alarms.OrderProcessingDeadLetterAlarm?.Properties;
    expect(JSON.stringify(dlq?.Dimensions)).toContain("OrderProcessingDeadLetterQueue");
    expect(dlq?.AlarmActions).toEqual([{ Ref: "OperatorAlertsTopic" }]);
    // The packaged template names the sweeper's function the way the alarm refers to it.
    const sweeper = alarms.SweepOrdersErrorsAlarm?.Properties;
    expect(sweeper?.Dimensions).toEqual([
      { Name: "FunctionName", Value: { Ref: "SweepOrdersLambdaFunction" } },
    ]);
    expect(t.Resources.SweepOrdersLambdaFunction?.Type).toBe("AWS::Lambda::Function");
    expect(sweeper?.AlarmActions).toEqual([{ Ref: "OperatorAlertsTopic" }]);
    expect(t.Outputs.AlertsTopicArn?.Value).toEqual({ Ref: "OperatorAlertsTopic" });
  });

  it("keeps every function's logs for a limited time", () => {
    const groups = ofType(template(architecture), "AWS::Logs::LogGroup");
    expect(groups).toHaveLength(functionsOf(architecture).length);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(14);
  });

  it("gives each function the memory its measured peak calls for, not one size for all", () => {
    for (const spec of functionsOf(architecture)) {
      const fn = template(architecture).Resources[`${upperFirst(spec.name)}LambdaFunction`];
      expect(fn?.Properties.MemorySize).toBe(memorySizeMb(spec.name));
    }
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

describe.each(ARCHITECTURES)("the %s architecture's storefront hosting", (architecture) => {
  const resource = (id: string) => {
    const found = template(architecture).Resources[id];
    if (found === undefined) throw new Error(`no ${id} in the ${architecture} template`);
    return found;
  };
  const distribution = () =>
    resource("SiteDistribution").Properties.DistributionConfig as Record<string, unknown> & {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
      Origins: Record<string, unknown>[];
    };

  it("keeps the site in a private, encrypted bucket that only its distribution reads", () => {
    const bucket = resource("SiteBucket");
    expect(bucket.Type).toBe("AWS::S3::Bucket");
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });
    expect(JSON.stringify(bucket.Properties.BucketEncryption)).toContain('"SSEAlgorithm":"AES256"');
    // Rebuilt from the repository at every deploy: not kept when the stack goes.
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(["Delete", "Delete"]);

    const policy = resource("SiteBucketPolicy");
    expect(policy.Properties.Bucket).toEqual({ Ref: "SiteBucket" });
    const statements = (
      policy.Properties.PolicyDocument as {
        Statement: { Effect: string; Principal: unknown; Action: unknown; Condition: unknown }[];
      }
    ).Statement;
    const allows = statements.filter((statement) => statement.Effect === "Allow");
    expect(allows).toHaveLength(1);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
      expect(allow.Action).toContain("s3:GetObject");
      expect(allow.Action).not.toContain("s3:PutObject");
      expect(allow.Condition).toEqual({
        StringEquals: {
          "AWS:SourceArn": {
            "Fn::Sub": `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${SiteDistribution}`,
          },
        },
      });
    }
    expect(JSON.stringify(statements.find((s) => s.Effect === "Deny"))).toContain(
      "aws:SecureTransport",
    );

    // Origin access control (SigV4), not the legacy origin access identity.
    const control = resource("SiteOriginAccessControl");
    expect(control.Type).toBe("AWS::CloudFront::OriginAccessControl");
    expect(control.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: "s3",
      SigningBehavior: "always",
      SigningProtocol: "sigv4",
    });
    expect(
      ofType(template(architecture), "AWS::CloudFront::CloudFrontOriginAccessIdentity"),
    ).toEqual([]);
    expect(distribution().Origins).toEqual([
      {
        Id: "site-bucket",
        DomainName: { "Fn::GetAtt": ["SiteBucket", "RegionalDomainName"] },
        OriginAccessControlId: { "Fn::GetAtt": ["SiteOriginAccessControl", "Id"] },
        S3OriginConfig: { OriginAccessIdentity: "" },
      },
    ]);
  });

  it("sends the storefront's CSP, HSTS, nosniff, no framing and its referrer policy", () => {
    const policy = resource("SiteResponseHeaders");
    expect(policy.Type).toBe("AWS::CloudFront::ResponseHeadersPolicy");
    const config = policy.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const headers = config.SecurityHeadersConfig;
    const cspValue = headers.ContentSecurityPolicy?.ContentSecurityPolicy as {
      "Fn::If": [string, { "Fn::Sub": string }, { "Fn::Sub": string }];
    };
    const [condition, withStripe, demo] = cspValue["Fn::If"];
    const csp = demo["Fn::Sub"];
    // The same policy the dev server sends, with the stack's own endpoints to connect to; Stripe's
    // origins only when the stack takes payments with Stripe.
    expect(condition).toBe("StripePayments");
    expect(csp).toBe(storefrontContentSecurityPolicy(SITE_CONNECT_ORIGINS, { stripe: false }));
    expect(withStripe["Fn::Sub"]).toBe(
      storefrontContentSecurityPolicy(SITE_CONNECT_ORIGINS, { stripe: true }),
    );
    expect(csp).not.toContain("stripe.com");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(
      `connect-src 'self' https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix} wss://\${WebsocketsApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix} https://cognito-idp.\${AWS::Region}.\${AWS::URLSuffix};`,
    );
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: "DENY", Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: "same-origin", Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31_536_000,
      Override: true,
    });
  });

  it("serves the site over HTTPS only, with the SPA fallback and a cache policy per kind of file", () => {
    const config = distribution();
    expect(config.Enabled).toBe(true);
    expect(config.DefaultRootObject).toBe("index.html");
    const behaviours = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    for (const behaviour of behaviours) {
      expect(behaviour.ViewerProtocolPolicy).toBe("redirect-to-https");
      expect(behaviour.TargetOriginId).toBe("site-bucket");
      expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: "SiteResponseHeaders" });
    }
    // index.html, config.json and the page's paths: nothing cached at the edge.
    expect(config.DefaultCacheBehavior.CachePolicyId).toBe(MANAGED_CACHE_POLICY.cachingDisabled);
    expect(config.CacheBehaviors.map((b) => [b.PathPattern, b.CachePolicyId])).toEqual(
      CACHED_PATHS.map((path) => [path, MANAGED_CACHE_POLICY.cachingOptimized]),
    );
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toContain("/assets/*");
    // The fallback is the viewer-request function of the default behaviour alone (a missing
    // asset stays a 404), not custom error responses.
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      {
        EventType: "viewer-request",
        FunctionARN: { "Fn::GetAtt": ["SiteSpaFallback", "FunctionARN"] },
      },
    ]);
    for (const behaviour of config.CacheBehaviors) {
      expect(behaviour.FunctionAssociations).toBeUndefined();
    }
    expect(config.CustomErrorResponses).toBeUndefined();
    const fallback = resource("SiteSpaFallback");
    expect(fallback.Type).toBe("AWS::CloudFront::Function");
    expect(fallback.Properties).toMatchObject({
      AutoPublish: true,
      FunctionCode: SPA_FALLBACK_CODE,
      FunctionConfig: { Runtime: "cloudfront-js-2.0" },
    });
  });

  it("outputs the site's address, bucket and distribution, and what config.json needs", () => {
    const t = template(architecture);
    for (const key of Object.values(STACK_OUTPUTS)) expect(t.Outputs[key], key).toBeDefined();
    const value = (key: string) => t.Outputs[key]?.Value;
    expect(value("SiteUrl")).toEqual(SITE_ORIGIN);
    expect(value("SiteBucketName")).toEqual({ Ref: "SiteBucket" });
    expect(value("SiteDistributionId")).toEqual({ Ref: "SiteDistribution" });
    expect(value("UserPoolClientId")).toEqual({ Ref: "UserPoolClient" });
    expect(value("Region")).toEqual({ Ref: "AWS::Region" });
    // Both APIs with the stage: the WebSocket stage's Ref is the stage's name.
    expect(value("ApiUrl")).toEqual({
      "Fn::Sub": `https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${WebsocketsDeploymentStage}`,
    });
    expect(value("WebsocketUrl")).toEqual({
      "Fn::Sub": `wss://\${WebsocketsApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${WebsocketsDeploymentStage}`,
    });
    expect(t.Resources.WebsocketsDeploymentStage?.Properties.StageName).toBe("dev");
    expect(JSON.stringify(t.Resources)).toMatch(/"StageName":"dev"/);
  });

  it("allows the storefront's address as CORS origin, without a dependency cycle", () => {
    const t = template(architecture);
    for (const spec of functionsOf(architecture)) {
      expect(envOf(t, `${upperFirst(spec.name)}LambdaFunction`).CORS_ORIGINS, spec.name).toEqual(
        SITE_ORIGIN,
      );
    }
    // The distribution needs the site's own resources and, for its CSP, the APIs' ids; never a
    // function (which needs the distribution's domain).
    expect([...needs(t, "SiteDistribution")].sort()).toEqual([
      "ApiGatewayRestApi",
      "SiteBucket",
      "SiteOriginAccessControl",
      "SiteResponseHeaders",
      "SiteSpaFallback",
      "WebsocketsApi",
    ]);
    for (const id of Object.keys(t.Resources)) needs(t, id);
  });

  it("throttles the REST and WebSocket stages with the stack's limit parameters", () => {
    const t = template(architecture);
    // The parameters, their defaults the plan's figures when no option is given.
    expect(t.Parameters).toEqual({
      [REST_RATE_LIMIT_ID]: expect.objectContaining({
        Type: "Number",
        Default: STAGE_LIMITS.rest.rateLimit,
      }),
      [REST_BURST_LIMIT_ID]: expect.objectContaining({ Default: STAGE_LIMITS.rest.burstLimit }),
      [WEBSOCKET_RATE_LIMIT_ID]: expect.objectContaining({
        Default: STAGE_LIMITS.websocket.rateLimit,
      }),
      [WEBSOCKET_BURST_LIMIT_ID]: expect.objectContaining({
        Default: STAGE_LIMITS.websocket.burstLimit,
      }),
      // And the payments' (below).
      PaymentProvider: expect.objectContaining({ Default: "demo" }),
      StripePublishableKey: expect.objectContaining({ Default: "" }),
      StripeSecretKeyParameter: expect.objectContaining({ Default: "" }),
      StripeWebhookSecretParameter: expect.objectContaining({ Default: "" }),
      // And the mail's (below): no default sender, so a stack cannot be made without one.
      MailFrom: expect.not.objectContaining({ Default: expect.anything() }),
      MailIdentity: expect.objectContaining({ Default: "" }),
      OrderLinkKeyParameter: expect.objectContaining({ Default: "" }),
    });
    const deployments = ofType(t, "AWS::ApiGateway::Deployment");
    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.[1].Properties.StageDescription).toEqual({
      ThrottlingRateLimit: { Ref: REST_RATE_LIMIT_ID },
      ThrottlingBurstLimit: { Ref: REST_BURST_LIMIT_ID },
    });
    expect(deployments[0]?.[1].Properties.StageName).toBe("dev");
    const websocketStages = ofType(t, "AWS::ApiGatewayV2::Stage");
    expect(websocketStages).toHaveLength(1);
    expect(websocketStages[0]?.[1].Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: { Ref: WEBSOCKET_RATE_LIMIT_ID },
      ThrottlingBurstLimit: { Ref: WEBSOCKET_BURST_LIMIT_ID },
    });
    // No per-client limit unless asked for: WAF is a paid service.
    expect(Object.values(t.Resources).filter((r) => r.Type.startsWith("AWS::WAFv2::"))).toEqual([]);
  });

  it("stays under CloudFormation's 500 resources a stack", () => {
    expect(Object.keys(template(architecture).Resources).length).toBeLessThan(500);
  });

  it("lets a browser read the gateway's own refusals from that origin", () => {
    const responses = ofType(template(architecture), "AWS::ApiGateway::GatewayResponse");
    expect(responses.map(([, r]) => r.Properties.ResponseType)).toEqual(
      expect.arrayContaining(["UNAUTHORIZED", "ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"]),
    );
    for (const [id, response] of responses) {
      const headers = response.Properties.ResponseParameters as Record<string, unknown>;
      expect(headers[ALLOW_ORIGIN], id).toEqual({
        "Fn::Sub": `'https://\${SiteDistribution.DomainName}'`,
      });
      expect(headers["gatewayresponse.header.Vary"], id).toBe("'Origin'");
      expect(headers["gatewayresponse.header.X-Content-Type-Options"], id).toBe("'nosniff'");
      expect(headers["gatewayresponse.header.Cache-Control"], id).toBe("'no-store'");
    }
  });

  it("signs up with a confirmation code and signs in with the page's flows", () => {
    const client = resource("UserPoolClient").Properties;
    expect(client.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    );
    expect(client.GenerateSecret).toBe(false);
    expect(client.PreventUserExistenceErrors).toBe("ENABLED");
    expect(client).toMatchObject({
      AccessTokenValidity: 1,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { AccessToken: "hours", RefreshToken: "days" },
    });
    const pool = resource("UserPool").Properties;
    expect(pool.AutoVerifiedAttributes).toEqual(["email"]);
    expect(pool.VerificationMessageTemplate).toEqual({ DefaultEmailOption: "CONFIRM_WITH_CODE" });
  });
});

/** A metric an alarm watches, as the alarm names it. */
interface WatchedMetric {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
}

/** The metrics of an alarm: its one metric, or each metric its math reads. */
function metricsOf(alarm: Record<string, unknown>): WatchedMetric[] {
  const queries = alarm.Metrics as { MetricStat?: { Metric: WatchedMetric } }[] | undefined;
  if (queries === undefined) {
    return [
      {
        Namespace: String(alarm.Namespace),
        MetricName: String(alarm.MetricName),
        Dimensions: (alarm.Dimensions ?? []) as WatchedMetric["Dimensions"],
      },
    ];
  }
  return queries.flatMap((query) =>
    query.MetricStat === undefined
      ? []
      : [{ ...query.MetricStat.Metric, Dimensions: query.MetricStat.Metric.Dimensions ?? [] }],
  );
}

const dimension = (metric: WatchedMetric, name: string) =>
  metric.Dimensions.find((d) => d.Name === name)?.Value;

describe.each(ARCHITECTURES)("the %s architecture's alarms", (architecture) => {
  const alarms = () =>
    ofType(template(architecture), "AWS::CloudWatch::Alarm").map(([id, alarm]) => ({
      id,
      properties: alarm.Properties,
      metrics: metricsOf(alarm.Properties),
    }));

  it("all tell the alerts topic when they go off and when they clear", () => {
    for (const { id, properties } of alarms()) {
      expect(properties.AlarmActions, id).toEqual([{ Ref: "OperatorAlertsTopic" }]);
      expect(properties.OKActions, id).toEqual([{ Ref: "OperatorAlertsTopic" }]);
    }
  });

  it("watch the throttling of the table and of each of its global secondary indexes, once each", () => {
    const indexes = (TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName);
    expect(indexes.length).toBeGreaterThan(0);
    const watched = alarms()
      .filter(({ metrics }) => metrics.some((metric) => metric.Namespace === "AWS/DynamoDB"))
      .map(({ id, metrics }) => {
        expect(metrics.map((metric) => metric.MetricName).sort(), id).toEqual([
          "ReadThrottleEvents",
          "WriteThrottleEvents",
        ]);
        for (const metric of metrics) {
          expect(dimension(metric, "TableName"), id).toEqual({ Ref: "StoreTable" });
          expect(metric.Dimensions, id).toEqual(metrics[0]?.Dimensions);
        }
        return dimension(metrics[0] as WatchedMetric, "GlobalSecondaryIndexName") ?? "(table)";
      });
    expect(watched.sort()).toEqual(["(table)", ...indexes].sort());
  });

  it("watch Lambda throttles account-wide, and each function's errors once", () => {
    const t = template(architecture);
    const lambda = alarms().flatMap(({ metrics }) =>
      metrics.filter((metric) => metric.Namespace === "AWS/Lambda"),
    );
    const throttles = lambda.filter((metric) => metric.MetricName === "Throttles");
    expect(throttles).toEqual([
      { Namespace: "AWS/Lambda", MetricName: "Throttles", Dimensions: [] },
    ]);
    const erring = lambda
      .filter((metric) => metric.MetricName === "Errors")
      .map((metric) => (dimension(metric, "FunctionName") as { Ref: string }).Ref);
    const functions = functionsOf(architecture).map(
      (spec) => `${upperFirst(spec.name)}LambdaFunction`,
    );
    // The sweeper's alarm is the one recovery.ts already had, not a second.
    expect(erring.sort()).toEqual(functions.sort());
    for (const id of erring) expect(t.Resources[id]?.Type, id).toBe("AWS::Lambda::Function");
  });

  it("watch the REST stage's share of 5XX answers and the WebSocket API's failed calls", () => {
    const t = template(architecture);
    const [rest, ...moreRest] = alarms().filter(({ metrics }) =>
      metrics.some((metric) => metric.MetricName === "5XXError"),
    );
    expect(moreRest).toEqual([]);
    expect(rest?.properties).toMatchObject({ Statistic: "Average", Threshold: 0.01 });
    // CloudWatch names the stage's metrics by the API's name: the one the template gives it.
    const stageName = String(t.Resources.WebsocketsDeploymentStage?.Properties.StageName);
    const apiName = dimension(rest?.metrics[0] as WatchedMetric, "ApiName") as {
      "Fn::Sub": string;
    };
    expect(apiName["Fn::Sub"].replace(`\${WebsocketsDeploymentStage}`, stageName)).toBe(
      t.Resources.ApiGatewayRestApi?.Properties.Name,
    );
    expect(dimension(rest?.metrics[0] as WatchedMetric, "Stage")).toEqual({
      Ref: "WebsocketsDeploymentStage",
    });
    const websocket = alarms().flatMap(({ metrics }) =>
      metrics.filter((metric) => metric.Dimensions.some((d) => d.Name === "ApiId")),
    );
    expect(websocket).toEqual([
      {
        Namespace: "AWS/ApiGateway",
        MetricName: "ExecutionError",
        Dimensions: [
          { Name: "ApiId", Value: { Ref: "WebsocketsApi" } },
          { Name: "Stage", Value: { Ref: "WebsocketsDeploymentStage" } },
        ],
      },
    ]);
  });
});

describe("a corsOrigins param", () => {
  const dir = "dist/package/monolith-cors-origins";
  let t: Template;

  beforeAll(() => {
    // Built by the packaging above; only the framework's part runs again.
    const result = oslsPackage("monolith", dir, [
      "--param=corsOrigins=https://shop.example, https://admin.shop.example",
    ]);
    if (result.status !== 0)
      throw new Error(`osls package failed:\n${result.stdout}${result.stderr}`);
    t = readTemplate(dir);
  }, 60_000);

  it("replaces the storefront's address in every function and gateway response", () => {
    for (const spec of functionsOf("monolith")) {
      expect(envOf(t, `${upperFirst(spec.name)}LambdaFunction`).CORS_ORIGINS).toBe(
        "https://shop.example,https://admin.shop.example",
      );
    }
    // One fixed origin per gateway response: the first given.
    for (const [, response] of ofType(t, "AWS::ApiGateway::GatewayResponse")) {
      const headers = response.Properties.ResponseParameters as Record<string, unknown>;
      expect(headers[ALLOW_ORIGIN]).toBe("'https://shop.example'");
    }
    // The storefront is still deployed; its own address is then simply not allowed.
    expect(t.Resources.SiteDistribution).toBeDefined();
  });

  it("fails the packaging when an origin is not scheme://host[:port]", () => {
    const result = oslsPackage("monolith", `${dir}-refused`, ["--param=corsOrigins=shop.example"]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/corsOrigins: "shop\.example" is not/);
  }, 60_000);
});

describe("the limits' params", () => {
  const dir = "dist/package/monolith-limits";
  let t: Template;

  beforeAll(() => {
    // Built by the packaging above; only the framework's part runs again.
    const result = oslsPackage("monolith", dir, [
      "--param=restRateLimit=3000",
      "--param=restBurstLimit=6000",
      "--param=websocketRateLimit=100",
      "--param=websocketBurstLimit=200",
      "--param=clientRateLimit=1500",
      "--param=corsOrigins=https://shop.example",
    ]);
    if (result.status !== 0)
      throw new Error(`osls package failed:\n${result.stdout}${result.stderr}`);
    t = readTemplate(dir);
  }, 60_000);

  it("set the defaults of the stages' limit parameters", () => {
    const defaults = Object.fromEntries(
      Object.entries(t.Parameters ?? {}).map(([id, parameter]) => [id, parameter.Default]),
    );
    expect(defaults).toEqual({
      [REST_RATE_LIMIT_ID]: 3000,
      [REST_BURST_LIMIT_ID]: 6000,
      [WEBSOCKET_RATE_LIMIT_ID]: 100,
      [WEBSOCKET_BURST_LIMIT_ID]: 200,
      ClientRateLimit: 1500,
      PaymentProvider: "demo",
      StripePublishableKey: "",
      StripeSecretKeyParameter: "",
      StripeWebhookSecretParameter: "",
      MailFrom: undefined,
      MailIdentity: "",
      OrderLinkKeyParameter: "",
    });
  });

  it("put a web ACL with a rate-based rule per client address in front of the REST stage", () => {
    expect(t.Parameters?.ClientRateLimit).toMatchObject({ Type: "Number", MinValue: 10 });
    const acls = ofType(t, "AWS::WAFv2::WebACL");
    expect(acls).toHaveLength(1);
    const [aclId, acl] = acls[0] ?? [];
    expect(acl?.Properties).toMatchObject({ Scope: "REGIONAL", DefaultAction: { Allow: {} } });
    const rules = acl?.Properties.Rules as {
      Statement: unknown;
      Action: {
        Block: { CustomResponse: { ResponseCode: number; CustomResponseBodyKey: string } };
      };
    }[];
    // Every path is counted but the webhooks': the provider calls from a few addresses.
    expect(webhookRoutes.map((route) => route.resource)).toEqual(["/webhooks/stripe"]);
    expect(rules.map((rule) => rule.Statement)).toEqual([
      {
        RateBasedStatement: {
          Limit: { Ref: "ClientRateLimit" },
          AggregateKeyType: "IP",
          EvaluationWindowSec: CLIENT_RATE_WINDOW_SECONDS,
          ScopeDownStatement: {
            NotStatement: {
              Statement: {
                ByteMatchStatement: {
                  SearchString: "/webhooks/stripe",
                  FieldToMatch: { UriPath: {} },
                  TextTransformations: [{ Priority: 0, Type: "NONE" }],
                  PositionalConstraint: "ENDS_WITH",
                },
              },
            },
          },
        },
      },
    ]);
    // Refused as the gateway refuses a flood: 429, a problem the page reads from its origin.
    const refusal = rules[0]?.Action.Block.CustomResponse;
    expect(refusal).toMatchObject({
      ResponseCode: 429,
      ResponseHeaders: expect.arrayContaining([
        { Name: "Access-Control-Allow-Origin", Value: "https://shop.example" },
        { Name: "Vary", Value: "Origin" },
      ]),
    });
    const bodies = acl?.Properties.CustomResponseBodies as Record<string, { Content: string }>;
    expect(JSON.parse(bodies[refusal?.CustomResponseBodyKey ?? ""]?.Content ?? "{}")).toMatchObject(
      { status: 429, code: "TOO_MANY_REQUESTS" },
    );

    const associations = ofType(t, "AWS::WAFv2::WebACLAssociation");
    expect(associations).toHaveLength(1);
    const [associationId, association] = associations[0] ?? [];
    expect(association?.Properties).toEqual({
      ResourceArn: {
        "Fn::Sub": `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${ApiGatewayRestApi}/stages/\${WebsocketsDeploymentStage}`,
      },
      WebACLArn: { "Fn::GetAtt": [aclId, "Arn"] },
    });
    // The stage it names is created by the framework's deployment, so it waits for that.
    const [deploymentId] = ofType(t, "AWS::ApiGateway::Deployment")[0] ?? [];
    expect(association?.DependsOn).toEqual([deploymentId]);
    expect([...needs(t, String(associationId))]).toContain(deploymentId);
    for (const id of Object.keys(t.Resources)) needs(t, id);
  });

  it("fail the packaging on a value that is not a whole number within bounds", () => {
    for (const [option, message] of [
      ["clientRateLimit=9", /clientRateLimit: "9" is not a whole number from 10 to 2000000000/],
      ["restRateLimit=fast", /restRateLimit: "fast" is not a whole number at least 1/],
      ["websocketBurstLimit=2.5", /websocketBurstLimit: "2.5" is not a whole number/],
    ] as const) {
      const result = oslsPackage("monolith", `${dir}-refused`, [`--param=${option}`]);
      expect(result.status, option).not.toBe(0);
      expect(result.stdout + result.stderr, option).toMatch(message);
    }
  }, 120_000);
});

/** The statements of a function's role. */
function statementsOf(t: Template, functionName: string) {
  const role = t.Resources[`${upperFirst(functionName)}Role`];
  const policies = (role?.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: Record<string, unknown>[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

const OPERATOR_ONLY = {
  "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": ["PROMOTION#*", "STOCK#*", "SHOP_CONFIG"] },
};

describe.each(ARCHITECTURES)("the operators in the %s architecture", (architecture) => {
  it("creates the Cognito group admin in the stack's user pool", () => {
    const groups = ofType(template(architecture), "AWS::Cognito::UserPoolGroup");
    expect(groups.map(([, group]) => group.Properties)).toEqual([
      expect.objectContaining({ GroupName: "admin", UserPoolId: { Ref: "UserPool" } }),
    ]);
  });

  it("gives only the functions that serve operators the writes of promotions, stock trail and uploads", () => {
    const t = template(architecture);
    for (const spec of functionsOf(architecture)) {
      const statements = statementsOf(t, spec.name);
      const putsUploads = statements.some(
        (statement) => statement.Effect === "Allow" && statement.Action === "s3:PutObject",
      );
      const denied = statements.some(
        (statement) =>
          statement.Effect === "Deny" &&
          JSON.stringify(statement.Condition) === JSON.stringify(OPERATOR_ONLY),
      );
      const writes = actionsOf(t, spec.name).some((action) => WRITES.includes(action));
      expect({ fn: spec.name, putsUploads }).toEqual({ fn: spec.name, putsUploads: spec.operator });
      expect({ fn: spec.name, denied }).toEqual({
        fn: spec.name,
        denied: !spec.operator && writes,
      });
      const serves = spec.routes.some(
        (route) => route.auth === "admin" || route.group === "graphql",
      );
      expect(spec.operator).toBe(serves);
    }
  });
});

describe("the operators' functions", () => {
  const adminRoutes = restRoutes.filter((route) => route.auth === "admin");

  it("are one function of their own in microservices, serving the admin routes and nothing else", () => {
    const admin = functionsOf("micro").find((spec) => spec.name === "admin");
    expect(admin?.routes).toEqual(adminRoutes);
    for (const spec of functionsOf("micro")) {
      if (spec.name !== "admin") expect(spec.operator, spec.name).toBe(false);
      const env = envOf(template("micro"), `${upperFirst(spec.name)}LambdaFunction`);
      expect(env.UPLOADS_BUCKET, spec.name).toEqual(
        spec.name === "admin" ? { Ref: "SiteBucket" } : undefined,
      );
    }
    expect(statementsOf(template("micro"), "admin")).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: { "Fn::Sub": `\${SiteBucket.Arn}/uploads/*` },
      }),
    );
  });

  it("are one function per admin route in nanoservices", () => {
    const operators = functionsOf("nano").filter((spec) => spec.operator);
    expect(operators.map((spec) => spec.routes)).toEqual(adminRoutes.map((route) => [route]));
    expect(adminRoutes.length).toBeGreaterThan(10);
  });

  it("lets browsers PUT presigned uploads to the site bucket, and CloudFront serve /uploads/*", () => {
    const t = template("micro");
    const bucket = t.Resources.SiteBucket;
    expect(bucket?.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ["PUT"],
          AllowedOrigins: ["*"],
          AllowedHeaders: ["content-type"],
          MaxAge: 600,
        },
      ],
    });
    const config = t.Resources.SiteDistribution?.Properties.DistributionConfig as {
      CacheBehaviors: { PathPattern: string }[];
    };
    const behaviours = config.CacheBehaviors.map((behaviour) => behaviour.PathPattern);
    expect(behaviours).toContain("/uploads/*");
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

/** The environment variables the functions that talk to the payment provider get, as Refs. */
const onlyWithStripe = (id: string) => ({
  "Fn::If": ["StripePayments", { Ref: id }, { Ref: "AWS::NoValue" }],
});
/** The environment the functions that talk to the payment provider get: names, never values,
 * and Stripe's only in a Stripe stack (an empty setting would fail their configuration). */
const PAYMENT_ENVIRONMENT = {
  PAYMENT_PROVIDER: { Ref: "PaymentProvider" },
  STRIPE_PUBLISHABLE_KEY: onlyWithStripe("StripePublishableKey"),
  STRIPE_SECRET_KEY_PARAMETER: onlyWithStripe("StripeSecretKeyParameter"),
  STRIPE_WEBHOOK_SECRET_PARAMETER: onlyWithStripe("StripeWebhookSecretParameter"),
};

/** The one statement that reads the two secrets' parameters, only in a Stripe stack. */
const SECRETS_READ = {
  "Fn::If": [
    "StripePayments",
    {
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: [
        {
          "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${StripeSecretKeyParameter}`,
        },
        {
          "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${StripeWebhookSecretParameter}`,
        },
      ],
    },
    { Ref: "AWS::NoValue" },
  ],
};

/** The order-link key's parameter: the one given, else the stack's own. */
const ORDER_LINK_KEY_NAME = {
  "Fn::If": [
    "OrderLinkKeyParameterGiven",
    { Ref: "OrderLinkKeyParameter" },
    { "Fn::Sub": `/\${AWS::StackName}/order-link-key` },
  ],
};
/** The one statement that reads the order-link key, on exactly its parameter. */
const ORDER_LINK_KEY_READ = {
  Effect: "Allow",
  Action: "ssm:GetParameters",
  Resource: {
    "Fn::Sub": [
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${Name}`,
      { Name: ORDER_LINK_KEY_NAME },
    ],
  },
};

describe.each(ARCHITECTURES)("payments in the %s architecture", (architecture) => {
  it("has the payment parameters, demo by default, and the condition that says Stripe", () => {
    const t = template(architecture) as Template & { Conditions?: Record<string, unknown> };
    expect(t.Parameters?.PaymentProvider).toMatchObject({
      Type: "String",
      Default: "demo",
      AllowedValues: ["demo", "stripe"],
    });
    for (const id of [
      "StripePublishableKey",
      "StripeSecretKeyParameter",
      "StripeWebhookSecretParameter",
    ]) {
      expect(t.Parameters?.[id], id).toMatchObject({ Type: "String", Default: "" });
    }
    expect(t.Conditions?.StripePayments).toEqual({
      "Fn::Equals": [{ Ref: "PaymentProvider" }, "stripe"],
    });
  });

  it("gives the functions that talk to the provider its settings and the secrets' read, and only them", () => {
    const t = template(architecture);
    const talking = functionsOf(architecture).filter((spec) => spec.paymentProvider);
    // The processing and the sweeper always; the functions of the cancel routes (and GraphQL's).
    expect(talking.map((spec) => spec.name)).toEqual(
      expect.arrayContaining(["processOrders", "sweepOrders"]),
    );
    for (const spec of functionsOf(architecture)) {
      const talks = spec.paymentProvider;
      if (spec.trigger === "http") {
        expect(talks, spec.name).toBe(spec.routes.some((route) => route.paymentProvider === true));
      }
      const env = envOf(t, `${upperFirst(spec.name)}LambdaFunction`);
      const statements = statementsOf(t, spec.name);
      // The Stripe secrets' read (the order-link key's is the mail's, below).
      const reads = statements.filter(
        (statement) =>
          JSON.stringify(statement).includes("ssm:") &&
          JSON.stringify(statement) !== JSON.stringify(ORDER_LINK_KEY_READ),
      );
      if (talks) {
        expect(env, spec.name).toMatchObject(PAYMENT_ENVIRONMENT);
        expect(reads, spec.name).toEqual([SECRETS_READ]);
      } else {
        expect(
          Object.keys(env).filter((name) => /PAYMENT|STRIPE/.test(name)),
          spec.name,
        ).toEqual([]);
        expect(reads, spec.name).toEqual([]);
      }
    }
    // No function may decrypt with a KMS key: the parameters use the AWS managed aws/ssm key.
    expect(JSON.stringify(t)).not.toContain("kms:Decrypt");
  });

  it("serves Stripe's webhook without the Cognito authorizer, from a function of its own in micro", () => {
    const methods = methodsOf(template(architecture));
    const webhook = methods.find((method) => method.key === "POST /webhooks/stripe");
    expect(webhook?.authorization).toBe("NONE");
    const owner = functionsOf(architecture).find((spec) =>
      spec.routes.some((route) => route.resource === "/webhooks/stripe"),
    );
    expect(owner?.paymentProvider).toBe(true);
    expect(webhook?.functionId).toBe(upperFirst(owner?.name ?? ""));
    if (architecture === "micro" || architecture === "graph") {
      expect(owner?.name).toBe("payments");
      expect(owner?.routes.map((route) => `${route.method} ${route.resource}`)).toEqual([
        "POST /webhooks/stripe",
      ]);
    }
  });

  it("serves every cancel route from a function that talks to the provider", () => {
    for (const spec of functionsOf(architecture)) {
      for (const route of spec.routes.filter((r) => r.resource.endsWith("/cancel"))) {
        expect(spec.paymentProvider, `${route.method} ${route.resource}`).toBe(true);
      }
    }
  });
});

describe("a Stripe stack's params", () => {
  const dir = "dist/package/monolith-stripe";
  const stripe = [
    "--param=paymentProvider=stripe",
    "--param=stripePublishableKey=pk_test_51PublishableExample",
    "--param=stripeSecretKeyParameter=/shop/prod/stripe-secret-key",
    "--param=stripeWebhookSecretParameter=/shop/prod/stripe-webhook-secret",
  ];
  let t: Template;

  beforeAll(() => {
    // Built by the packaging above; only the framework's part runs again.
    const result = oslsPackage("monolith", dir, stripe);
    if (result.status !== 0)
      throw new Error(`osls package failed:\n${result.stdout}${result.stderr}`);
    t = readTemplate(dir);
  }, 60_000);

  it("set the payment parameters' defaults; the template holds names, never a secret", () => {
    expect(t.Parameters?.PaymentProvider?.Default).toBe("stripe");
    expect(t.Parameters?.StripePublishableKey?.Default).toBe("pk_test_51PublishableExample");
    expect(t.Parameters?.StripeSecretKeyParameter?.Default).toBe("/shop/prod/stripe-secret-key");
    expect(t.Parameters?.StripeWebhookSecretParameter?.Default).toBe(
      "/shop/prod/stripe-webhook-secret",
    );
    const text = JSON.stringify(t);
    expect(text).not.toMatch(/sk_(test|live)_|rk_(test|live)_|whsec_/);
    // The functions get the names through Refs, not values written into them.
    const api = envOf(t, "ApiLambdaFunction");
    expect(api).toMatchObject(PAYMENT_ENVIRONMENT);
    expect(statementsOf(t, "processOrders")).toContainEqual(SECRETS_READ);
  });

  it("fail the packaging on a secret given where its parameter's name belongs", () => {
    const result = oslsPackage("monolith", `${dir}-refused`, [
      "--param=paymentProvider=stripe",
      "--param=stripeSecretKeyParameter=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
      "--param=stripeWebhookSecretParameter=/shop/prod/stripe-webhook-secret",
    ]);
    expect(result.status).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/stripeSecretKeyParameter: give the name of the SSM SecureString/);
    expect(output).not.toContain("sk_test_4eC39HqLyjWDarjtT1zdp7dc");
  }, 60_000);

  it("fail the packaging on a Stripe stack without its secrets' names, or an unknown provider", () => {
    for (const [options, message] of [
      [
        ["--param=paymentProvider=stripe"],
        /paymentProvider=stripe needs stripePublishableKey, stripeSecretKeyParameter, stripeWebhookSecretParameter/,
      ],
      [["--param=paymentProvider=paypal"], /paymentProvider: "paypal" is not demo or stripe/],
      [
        [...stripe.slice(0, 3), "--param=stripeWebhookSecretParameter=shop/no-leading-slash"],
        /stripeWebhookSecretParameter: "shop\/no-leading-slash" is not a SecureString parameter's full name/,
      ],
    ] as const) {
      const result = oslsPackage("monolith", `${dir}-refused`, [...options]);
      expect(result.status, options.join(" ")).not.toBe(0);
      expect(result.stdout + result.stderr, options.join(" ")).toMatch(message);
    }
  }, 180_000);
});

/** Sending the e-mails: SendEmail on exactly the sender's identity and the stack's set. */
const MAIL_SENDING = [
  {
    Effect: "Allow",
    Action: "ses:SendEmail",
    Resource: [
      {
        "Fn::Sub": [
          `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/\${Identity}`,
          {
            Identity: {
              "Fn::If": [
                "MailIdentityGiven",
                { Ref: "MailIdentity" },
                {
                  "Fn::Select": [
                    0,
                    {
                      "Fn::Split": [
                        ">",
                        { "Fn::Select": [1, { "Fn::Split": ["@", { Ref: "MailFrom" }] }] },
                      ],
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
      {
        "Fn::Sub": [
          `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:configuration-set/\${ConfigurationSet}`,
          { ConfigurationSet: { Ref: "MailConfigurationSet" } },
        ],
      },
    ],
  },
  {
    Effect: "Allow",
    Action: "cognito-idp:AdminGetUser",
    Resource: { "Fn::GetAtt": ["UserPool", "Arn"] },
  },
];

describe.each(ARCHITECTURES)("the order e-mails in the %s architecture", (architecture) => {
  const senders = ["processOrders", "sweepOrders"];

  it("take the sender and the order-link key's parameter as stack parameters", () => {
    const t = template(architecture) as Template & { Conditions?: Record<string, unknown> };
    expect(t.Parameters?.MailFrom).toMatchObject({ Type: "String" });
    expect(t.Parameters?.MailFrom).not.toHaveProperty("Default");
    expect(t.Parameters?.MailIdentity).toMatchObject({ Type: "String", Default: "" });
    expect(t.Parameters?.OrderLinkKeyParameter).toMatchObject({ Type: "String", Default: "" });
    expect(t.Conditions?.MailIdentityGiven).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "MailIdentity" }, ""] }],
    });
  });

  it("sends with the stack's own configuration set", () => {
    const t = template(architecture);
    const sets = ofType(t, "AWS::SES::ConfigurationSet");
    expect(sets.map(([id]) => id)).toEqual(["MailConfigurationSet"]);
    expect(sets[0]?.[1].Properties.Name).toEqual({ "Fn::Sub": `\${AWS::StackName}` });
    for (const name of senders) {
      expect(envOf(t, `${upperFirst(name)}LambdaFunction`), name).toMatchObject({
        MAIL_PROVIDER: "ses",
        MAIL_FROM: { Ref: "MailFrom" },
        MAIL_CONFIGURATION_SET: { Ref: "MailConfigurationSet" },
        SHOP_URL: SITE_ORIGIN,
        ORDER_LINK_KEY_PARAMETER: ORDER_LINK_KEY_NAME,
      });
    }
  });

  it("lets only the stream function and the sweeper send, on exactly the identity and the set", () => {
    const t = template(architecture);
    for (const spec of functionsOf(architecture)) {
      const statements = statementsOf(t, spec.name);
      const mail = statements.filter((statement) =>
        /"(ses|cognito-idp):/.test(JSON.stringify(statement.Action)),
      );
      const env = envOf(t, `${upperFirst(spec.name)}LambdaFunction`);
      if (senders.includes(spec.name)) {
        expect(mail, spec.name).toEqual(MAIL_SENDING);
      } else {
        expect(mail, spec.name).toEqual([]);
        expect(
          Object.keys(env).filter((name) => /^(MAIL_|SHOP_URL)/.test(name)),
          spec.name,
        ).toEqual([]);
      }
      // The key of guests' links: read by whoever makes or opens one, and by no other function.
      const reads = statements.filter(
        (statement) => JSON.stringify(statement) === JSON.stringify(ORDER_LINK_KEY_READ),
      );
      const opens =
        senders.includes(spec.name) ||
        spec.trigger === "websocket" ||
        spec.routes.some(
          (route) => route.resource.startsWith("/guest-orders/{id}") || route.group === "graphql",
        );
      expect(reads.length, spec.name).toBe(opens ? 1 : 0);
      expect(env.ORDER_LINK_KEY_PARAMETER, spec.name).toEqual(
        opens ? ORDER_LINK_KEY_NAME : undefined,
      );
    }
    expect(JSON.stringify(t)).not.toMatch(/"ses:\*"|"cognito-idp:\*"/);
  });

  it("alarms on an e-mail given up, counted from the sending functions' logs", () => {
    const t = template(architecture);
    const filters = ofType(t, "AWS::Logs::MetricFilter").map(([, filter]) => filter.Properties);
    expect(filters.map((filter) => filter.LogGroupName)).toEqual([
      { Ref: "ProcessOrdersLogGroup" },
      { Ref: "SweepOrdersLogGroup" },
    ]);
    for (const filter of filters) {
      expect(t.Resources[(filter.LogGroupName as { Ref: string }).Ref]?.Type).toBe(
        "AWS::Logs::LogGroup",
      );
      expect(filter.FilterPattern).toBe('"order e-mail given up"');
    }
    const [transformation] = (filters[0]?.MetricTransformations ?? []) as {
      MetricNamespace: unknown;
      MetricName: string;
    }[];
    const alarm = t.Resources.OrderEmailsGivenUpAlarm?.Properties;
    expect(alarm).toMatchObject({
      Namespace: transformation?.MetricNamespace,
      MetricName: transformation?.MetricName,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: "OperatorAlertsTopic" }],
      OKActions: [{ Ref: "OperatorAlertsTopic" }],
    });
    // CloudFormation can order all of it: no cycle through the functions and their logs.
    for (const id of ["OrderEmailsGivenUpAlarm", "ProcessOrdersGivenUpEmailsFilter"]) {
      expect(() => needs(t, id)).not.toThrow();
    }
    expect(() => needs(t, "ProcessOrdersLambdaFunction")).not.toThrow();
  });
});

describe("the order e-mails' params", () => {
  const dir = "dist/package/monolith-mail";
  let t: Template;

  beforeAll(() => {
    const result = oslsPackage("monolith", dir, [
      "--param=mailFrom=Serverless Store <shop@shop.example>",
      "--param=orderLinkKeyParameter=/shop/prod/order-link-key",
    ]);
    if (result.status !== 0)
      throw new Error(`osls package failed:\n${result.stdout}${result.stderr}`);
    t = readTemplate(dir);
  }, 60_000);

  it("set the sender's and the key parameter's defaults; the template holds no key", () => {
    expect(t.Parameters?.MailFrom?.Default).toBe("Serverless Store <shop@shop.example>");
    expect(t.Parameters?.OrderLinkKeyParameter?.Default).toBe("/shop/prod/order-link-key");
    expect(t.Parameters?.MailIdentity?.Default).toBe("");
  });

  it("fail the packaging on a sender that is no address, or a key where its parameter's name belongs", () => {
    const key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA";
    for (const [option, message] of [
      ["--param=mailFrom=the shop", /mailFrom: "the shop" is not an address/],
      [`--param=orderLinkKeyParameter=${key}`, /orderLinkKeyParameter: the value given is not/],
    ] as const) {
      const result = oslsPackage("monolith", `${dir}-refused`, [option]);
      expect(result.status, option).not.toBe(0);
      expect(result.stdout + result.stderr, option).toMatch(message);
      expect(result.stdout + result.stderr, option).not.toContain(key);
    }
  }, 120_000);
});
