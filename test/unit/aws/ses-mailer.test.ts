import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createSesMailer,
  type SesMailerOptions,
  sesEndpoint,
} from "../../../src/aws/ses-mailer.js";
import { AppError } from "../../../src/domain/index.js";
import { composeMime } from "../../../src/mail/mime.js";
import type { MailMessage } from "../../../src/services/index.js";
import {
  type CapturedRequest,
  EXAMPLE_CREDENTIALS as CREDENTIALS,
  exampleClientOptions,
  expectSignedLikeTheSdk,
  EXAMPLE_REGION as REGION,
  resign,
} from "../../helpers/aws-signature.js";
import { awsStandInsPerTest, type StandInAnswer } from "../../helpers/aws-stand-in.js";

const CONFIGURATION_SET = "shop-prod";
const SIGNING = { service: "ses", region: REGION, credentials: CREDENTIALS };

const MESSAGE: MailMessage = {
  messageId: "ord_01HZX.placed@shop.example",
  from: "Serverless Store <shop@shop.example>",
  to: "ada@customer.example",
  subject: "Your order ord_01HZX — Zürich café ☕",
  text: "Thank you for your order.",
  html: "<p>Thank you for your order &lt;img&gt;.</p>",
};

afterEach(() => {
  vi.useRealTimers();
});

const accepted: StandInAnswer = { status: 200, body: { MessageId: "0102018f-example-000000" } };

const fakeSes = awsStandInsPerTest("application/json");

/** An SES v2 REST-JSON error: the type in `x-amzn-ErrorType` is what the stand-in cannot set, so
 * the body carries it as `__type`, which SES's protocol reads too. */
const refusal = (status: number, type: string, message: string): StandInAnswer => ({
  status,
  body: { __type: type, message },
});

const options = (endpoint: string, more: Partial<SesMailerOptions> = {}): SesMailerOptions => ({
  ...exampleClientOptions(endpoint),
  ...more,
});

describe("the SES mailer's request", () => {
  it("is SendEmail exactly as the AWS SDK sends it, signed alike", async () => {
    // One clock for both: the two signatures are made at the same instant.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-05-01T12:00:00Z"));
    const fake = await fakeSes(() => accepted);
    const mime = await composeMime(MESSAGE);
    const sdk = new SESv2Client(exampleClientOptions(fake.endpoint));
    try {
      await sdk.send(
        new SendEmailCommand({
          FromEmailAddress: MESSAGE.from,
          Destination: { ToAddresses: [MESSAGE.to] },
          Content: { Raw: { Data: mime } },
          ConfigurationSetName: CONFIGURATION_SET,
        }),
      );
    } finally {
      sdk.destroy();
    }

    await createSesMailer(
      options(fake.endpoint, {
        configurationSet: CONFIGURATION_SET,
        composeMime: async () => mime,
      }),
    ).send(MESSAGE);
    const { fromSdk, own } = await expectSignedLikeTheSdk(fake, SIGNING, [
      "content-type",
      "content-length",
      "x-amz-security-token",
      "host",
    ]);
    expect(own.path).toBe("/v2/email/outbound-emails");
    expect(JSON.parse(own.body)).toStrictEqual(JSON.parse(fromSdk.body));
    expect(own.body).toBe(fromSdk.body);
    expect(String(own.headers.authorization)).toContain(`/${REGION}/ses/aws4_request`);

    // The same signature, but for the headers that name the client and the attempt: the SDK's
    // request with ours in them signs to exactly our Authorization.
    expect(own.headers["x-amz-date"]).toBe("20260501T120000Z");
    expect(own.headers["x-amz-date"]).toBe(fromSdk.headers["x-amz-date"]);
    const identity = ["x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request"];
    const sdkWithOurIdentity = {
      ...fromSdk,
      headers: {
        ...fromSdk.headers,
        ...Object.fromEntries(identity.map((name) => [name, own.headers[name]])),
      },
    };
    expect(await resign(sdkWithOurIdentity, fake.port, SIGNING)).toBe(own.headers.authorization);
  });

  it("carries the message's MIME with both parts, its Message-ID, and no configuration set unless given", async () => {
    const fake = await fakeSes(() => accepted);
    await createSesMailer(options(fake.endpoint)).send(MESSAGE);
    const body = JSON.parse(fake.requests[0]?.body ?? "{}");
    expect(body.ConfigurationSetName).toBeUndefined();
    expect(body.FromEmailAddress).toBe(MESSAGE.from);
    expect(body.Destination).toStrictEqual({ ToAddresses: [MESSAGE.to] });
    const parsed = await simpleParser(Buffer.from(body.Content.Raw.Data, "base64"));
    expect(parsed.messageId).toBe(`<${MESSAGE.messageId}>`);
    expect(parsed.subject).toBe(MESSAGE.subject);
    expect(parsed.text?.trim()).toBe(MESSAGE.text);
    expect(parsed.html).toContain("&lt;img&gt;");
  });

  it("finds the region's endpoint, China's included", () => {
    expect(sesEndpoint("eu-west-1")).toBe("https://email.eu-west-1.amazonaws.com");
    expect(sesEndpoint("cn-north-1")).toBe("https://email.cn-north-1.amazonaws.com.cn");
  });
});

describe("the SES mailer's refusals", () => {
  /** What send throws, and what it logged, against a stand-in answering `answer`. */
  async function refusedWith(
    answer: (request: CapturedRequest, index: number) => StandInAnswer,
    more: Partial<SesMailerOptions> = {},
  ) {
    const fake = await fakeSes(answer);
    const logged: Record<string, unknown>[] = [];
    const error = await createSesMailer(
      options(fake.endpoint, { log: (entry) => logged.push(entry), ...more }),
    )
      .send(MESSAGE)
      .catch((e: unknown) => e);
    return { error: error as AppError, logged, requests: fake.requests };
  }

  it.each([
    ["MessageRejected", "Email address is not verified: ada@customer.example"],
    ["MailFromDomainNotVerifiedException", "MAIL FROM domain shop.example is not verified"],
    ["BadRequestException", "Missing final '@domain'"],
  ])("answers MAIL_REJECTED for %s, once, without SES's words", async (type, words) => {
    const { error, logged, requests } = await refusedWith(() => refusal(400, type, words));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("MAIL_REJECTED");
    expect(error.message).not.toContain(words);
    expect(requests).toHaveLength(1);
    expect(JSON.stringify(logged)).toContain(`${type}: ${words}`);
  });

  it("answers MAIL_UNAVAILABLE after retrying throttling once", async () => {
    const { error, logged, requests } = await refusedWith(() =>
      refusal(429, "TooManyRequestsException", "Maximum sending rate exceeded."),
    );
    expect(error.code).toBe("MAIL_UNAVAILABLE");
    expect(error.message).not.toContain("sending rate");
    expect(requests).toHaveLength(2);
    expect(JSON.stringify(logged)).toContain("TooManyRequestsException");
  });

  it("answers MAIL_UNAVAILABLE for a 5xx that is not JSON, and for the quota or a paused account", async () => {
    expect((await refusedWith(() => ({ status: 503, body: "<html>busy</html>" }))).error.code).toBe(
      "MAIL_UNAVAILABLE",
    );
    for (const type of ["LimitExceededException", "SendingPausedException", "NotFoundException"]) {
      const { error, requests } = await refusedWith(() => refusal(400, type, "words"));
      expect(error.code, type).toBe("MAIL_UNAVAILABLE");
      expect(requests, type).toHaveLength(1);
    }
  });

  it("sends the retry that follows a 500, and resolves when SES takes it", async () => {
    const fake = await fakeSes((_, index) =>
      index === 0 ? refusal(500, "InternalFailure", "oops") : accepted,
    );
    await createSesMailer(options(fake.endpoint)).send(MESSAGE);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.headers["amz-sdk-request"]).toBe("attempt=2; max=2");
  });

  it("answers MAIL_UNAVAILABLE when nothing answers, without sending the message again", async () => {
    const { error, requests } = await refusedWith(() => "hang", { requestTimeoutMs: 100 });
    expect(error.code).toBe("MAIL_UNAVAILABLE");
    expect(requests).toHaveLength(1);
  });

  it("answers MAIL_UNAVAILABLE when SES cannot be reached", async () => {
    const fake = await fakeSes(() => accepted);
    const endpoint = fake.endpoint;
    await fake.close();
    const error = await createSesMailer(options(endpoint))
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe("MAIL_UNAVAILABLE");
  });
});
