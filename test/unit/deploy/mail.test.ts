import { describe, expect, it } from "vitest";
import { ARCHITECTURES, describeArchitecture } from "../../../src/deploy/index.js";
import {
  MAIL_GIVEN_UP_ALARM_ID,
  MAIL_GIVEN_UP_LOG_MESSAGE,
  mailSending,
  orderLinkKeyRead,
  stackMail,
} from "../../../src/deploy/mail.js";

const STACK = {
  "AWS::Partition": "aws",
  "AWS::Region": "eu-west-1",
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "shop-prod",
};
/** What the resources' Refs and attributes are once the stack exists. */
const RESOURCES: Record<string, string> = {
  MailConfigurationSet: "shop-prod",
  "UserPool.Arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc",
  "SiteDistribution.DomainName": "d111111abcdef8.cloudfront.net",
};

/** CloudFormation's reading of `node` for the stack parameters `parameters`. */
function evaluate(node: unknown, parameters: Record<string, string>): unknown {
  const mail = stackMail();
  const lookup = (name: string): string => {
    const value =
      (STACK as Record<string, string>)[name] ?? parameters[name] ?? RESOURCES[name] ?? undefined;
    if (value === undefined) throw new Error(`nothing named ${name}`);
    return value;
  };
  const condition = (name: string): boolean => {
    const definition = mail.conditions[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    return evaluate(definition, parameters) as boolean;
  };
  const go = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(go);
    if (value === null || typeof value !== "object") return value;
    const [[key, inner]] = Object.entries(value) as [[string, unknown]];
    switch (key) {
      case "Ref":
        return lookup(String(inner));
      case "Fn::GetAtt":
        return lookup((inner as string[]).join("."));
      case "Fn::If": {
        const [name, yes, no] = inner as [string, unknown, unknown];
        return go(condition(name) ? yes : no);
      }
      case "Fn::Not":
        return !(go((inner as unknown[])[0]) as boolean);
      case "Fn::Equals": {
        const [a, b] = inner as [unknown, unknown];
        return go(a) === go(b);
      }
      case "Fn::Split": {
        const [separator, text] = inner as [string, unknown];
        return String(go(text)).split(separator);
      }
      case "Fn::Select": {
        const [index, list] = inner as [number, unknown];
        return (go(list) as string[])[index];
      }
      case "Fn::Sub": {
        const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
        const own = Object.fromEntries(
          Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, go(v)]),
        );
        return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          String(own[name] ?? lookup(name)),
        );
      }
      default:
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, go(v)]));
    }
  };
  return go(node);
}

const withParameters = (given: Record<string, string>): Record<string, string> => ({
  MailIdentity: "",
  OrderLinkKeyParameter: "",
  ...given,
});

describe("the mail's parameters", () => {
  const { MailFrom, MailIdentity, OrderLinkKeyParameter } = stackMail().parameters;

  it("take a sender as an address or Name <address>, and refuse anything else", () => {
    const pattern = new RegExp(MailFrom?.parameter.AllowedPattern ?? "");
    expect(MailFrom?.parameter.Default).toBeUndefined();
    for (const from of ["shop@shop.example", "Serverless Store <shop@mail.shop.example>"]) {
      expect(pattern.test(from), from).toBe(true);
    }
    for (const from of ["", "shop", "a@b@shop.example", "Shop <shop@shop.example", "x\n<a@b.c>"]) {
      expect(pattern.test(from), from).toBe(false);
    }
    const identity = new RegExp(MailIdentity?.parameter.AllowedPattern ?? "");
    for (const given of ["", "shop.example", "shop@shop.example"]) {
      expect(identity.test(given), given).toBe(true);
    }
    expect(identity.test("Shop <shop@shop.example>")).toBe(false);
    const link = new RegExp(OrderLinkKeyParameter?.parameter.AllowedPattern ?? "");
    expect(link.test("/shop/prod/order-link-key")).toBe(true);
    expect(link.test("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA")).toBe(false);
  });

  it("let the functions send from exactly MailFrom's domain, or the identity given", () => {
    const [send] = mailSending() as [{ Resource: unknown }];
    expect(
      evaluate(send.Resource, withParameters({ MailFrom: "Serverless Store <shop@shop.example>" })),
    ).toEqual([
      "arn:aws:ses:eu-west-1:123456789012:identity/shop.example",
      "arn:aws:ses:eu-west-1:123456789012:configuration-set/shop-prod",
    ]);
    expect(
      evaluate(send.Resource, withParameters({ MailFrom: "shop@mail.shop.example" })),
    ).toContain("arn:aws:ses:eu-west-1:123456789012:identity/mail.shop.example");
    expect(
      evaluate(
        send.Resource,
        withParameters({ MailFrom: "shop@shop.example", MailIdentity: "shop@shop.example" }),
      ),
    ).toContain("arn:aws:ses:eu-west-1:123456789012:identity/shop@shop.example");
  });

  it("name the order-link key's parameter, the stack's own by default, and read exactly it", () => {
    const read = orderLinkKeyRead() as { Action: string; Resource: unknown };
    expect(read.Action).toBe("ssm:GetParameters");
    expect(evaluate(read.Resource, withParameters({ MailFrom: "shop@shop.example" }))).toBe(
      "arn:aws:ssm:eu-west-1:123456789012:parameter/shop-prod/order-link-key",
    );
    expect(
      evaluate(
        read.Resource,
        withParameters({ MailFrom: "shop@shop.example", OrderLinkKeyParameter: "/shop/link-key" }),
      ),
    ).toBe("arn:aws:ssm:eu-west-1:123456789012:parameter/shop/link-key");
  });

  it("give the senders SES, the sender, the configuration set, the page's address and the key's name", () => {
    const parameters = withParameters({ MailFrom: "Serverless Store <shop@shop.example>" });
    expect(evaluate(stackMail().senderEnvironment, parameters)).toEqual({
      MAIL_PROVIDER: "ses",
      MAIL_FROM: "Serverless Store <shop@shop.example>",
      MAIL_CONFIGURATION_SET: "shop-prod",
      SHOP_URL: "https://d111111abcdef8.cloudfront.net",
      ORDER_LINK_KEY_PARAMETER: "/shop-prod/order-link-key",
    });
    expect(evaluate(stackMail().linkEnvironment, parameters)).toEqual({
      ORDER_LINK_KEY_PARAMETER: "/shop-prod/order-link-key",
    });
  });
});

describe.each(ARCHITECTURES)("the mail in the %s architecture", (architecture) => {
  const descriptor = describeArchitecture(architecture);
  const statementsOf = (name: string): { Action: unknown }[] => {
    const role = descriptor.resources[`${name[0]?.toUpperCase()}${name.slice(1)}Role`];
    const policies = role?.Properties.Policies as {
      PolicyDocument: { Statement: { Action: unknown }[] };
    }[];
    return policies.flatMap((policy) => policy.PolicyDocument.Statement);
  };
  const actionsOf = (name: string) => statementsOf(name).flatMap((s) => [s.Action].flat());

  it("sends from the stream function and the sweeper only", () => {
    expect(descriptor.mailFunctions.sort()).toEqual(["processOrders", "sweepOrders"]);
    for (const name of Object.keys(descriptor.functions)) {
      const sends = descriptor.mailFunctions.includes(name);
      expect(actionsOf(name).includes("ses:SendEmail"), name).toBe(sends);
      expect(actionsOf(name).includes("cognito-idp:AdminGetUser"), name).toBe(sends);
      expect(JSON.stringify(statementsOf(name)), name).not.toMatch(
        /"ses:\*"|"Resource":"\*"[^}]*ses/,
      );
    }
  });

  it("lets the functions that make or open order links read the key, and no other", () => {
    expect(descriptor.orderLinkFunctions).toEqual(
      expect.arrayContaining(["processOrders", "sweepOrders", "notifications"]),
    );
    // A guest's order opens over REST (/guest-orders/{id}...) and over GraphQL (guestOrder).
    const opening = Object.entries(descriptor.functions).filter(([, fn]) =>
      fn.events.some(
        (event) =>
          "http" in event &&
          (event.http.path.startsWith("/guest-orders/{id}") || event.http.path === "/graphql"),
      ),
    );
    expect(opening.length).toBeGreaterThan(0);
    for (const [name] of opening) expect(descriptor.orderLinkFunctions, name).toContain(name);
    for (const name of Object.keys(descriptor.functions)) {
      const reads = statementsOf(name).filter(
        (statement) => JSON.stringify(statement) === JSON.stringify(orderLinkKeyRead()),
      );
      expect(reads.length, name).toBe(descriptor.orderLinkFunctions.includes(name) ? 1 : 0);
    }
  });

  it("has the stack's configuration set and the alarm on e-mails given up", () => {
    expect(descriptor.resources.MailConfigurationSet).toMatchObject({
      Type: "AWS::SES::ConfigurationSet",
      Properties: { Name: { "Fn::Sub": `\${AWS::StackName}` } },
    });
    const filters = Object.entries(descriptor.resources).filter(
      ([, resource]) => resource.Type === "AWS::Logs::MetricFilter",
    );
    expect(filters.map(([, filter]) => filter.Properties.LogGroupName)).toEqual([
      { Ref: "ProcessOrdersLogGroup" },
      { Ref: "SweepOrdersLogGroup" },
    ]);
    for (const [, filter] of filters) {
      expect(filter.Properties.FilterPattern).toBe(`"${MAIL_GIVEN_UP_LOG_MESSAGE}"`);
    }
    expect(descriptor.resources[MAIL_GIVEN_UP_ALARM_ID]?.Properties).toMatchObject({
      MetricName: "OrderEmailsGivenUp",
      AlarmActions: [{ Ref: "OperatorAlertsTopic" }],
    });
  });
});
