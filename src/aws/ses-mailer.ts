// Order e-mails through Amazon SES v2 `SendEmail` (REST-JSON, `POST /v2/email/outbound-emails`)
// as one signed request over the lean transport of `aws-http.ts`, like the DynamoDB client: the
// processing function never loads the SDK's SES client. The message goes as Raw content, the
// MIME that `composeMime` makes locally too, so an e-mail in AWS is byte for byte the `.eml` a
// developer reads locally (SES then sets its own Message-ID and Date: docs/email.md).
import { type AppError, mailRejected, mailUnavailable } from "../domain/index.js";
import { composeMime } from "../mail/mime.js";
import type { Logger, Mailer, MailMessage } from "../services/index.js";
import { type AwsClientOptions, AwsHttpClient, regionOf } from "./aws-http.js";
import { AwsServiceError, readJsonAnswer, regionalEndpoint } from "./json-protocol.js";

export interface SesMailerOptions extends AwsClientOptions {
  /** The configuration set every message is sent with (its event destinations, its IP pool). */
  configurationSet?: string | undefined;
  /** A stand-in's URL, for example; `https://email.<region>.amazonaws.com` when omitted. */
  endpoint?: string | undefined;
  /** Where SES's own words go when it refuses: never into the error the sender keeps. */
  log?: Logger | undefined;
  /** Makes the MIME of a message; `composeMime` (tests pin one, its boundaries are random). */
  composeMime?: (message: MailMessage) => Promise<Uint8Array>;
}

/** A refusal of SES, named after its error type (`MessageRejected`, `TooManyRequestsException`). */
export class SesServiceError extends AwsServiceError {}

const SEND_EMAIL_PATH = "/v2/email/outbound-emails";

/**
 * What SES answers for this message and will answer again however often it is sent: the
 * message or its sender is refused (`MessageRejected`: an address SES will not deliver to, in
 * the sandbox one not verified; `MailFromDomainNotVerifiedException`), or the request names a
 * bad address (`BadRequestException`). Every other refusal (throttling, the account's sending
 * paused or its quota reached, a missing configuration set, a role without the permission, a
 * 5xx) may pass, and the outbox tries the message again later.
 */
const REJECTIONS = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "BadRequestException",
]);

/** The region's public endpoint of SES v2. */
export const sesEndpoint = (region: string): string => regionalEndpoint("email", region);

/**
 * Retried within one send: throttling and a 5xx (SES took nothing), and a connection that never
 * opened. Not a timeout or a connection broken after the request went: SES may have taken the
 * message, and the outbox's next try (minutes later) is better than a duplicate now.
 */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

function isRetryable(error: unknown): boolean {
  if (error instanceof SesServiceError) {
    return error.statusCode === 429 || error.statusCode >= 500;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && NOT_SENT_CODES.has(code);
}

/** SendEmail's body: who sends, to whom, the raw MIME, and the configuration set if any. */
export function sendEmailBody(
  message: Pick<MailMessage, "from" | "to">,
  mime: Uint8Array,
  configurationSet: string | undefined,
): string {
  // Members in the order the SDK writes them, so the two bodies are the same bytes.
  return JSON.stringify({
    Content: { Raw: { Data: Buffer.from(mime).toString("base64") } },
    FromEmailAddress: message.from,
    // Said explicitly rather than read from the MIME's To header: exactly this recipient.
    Destination: { ToAddresses: [message.to] },
    ...(configurationSet === undefined ? {} : { ConfigurationSetName: configurationSet }),
  });
}

/**
 * A Mailer over SES v2 `SendEmail`. The function's role needs `ses:SendEmail` on the sender's
 * identity and on the configuration set. Resolves once SES accepted the message; throws
 * MAIL_REJECTED when SES refuses it for good, MAIL_UNAVAILABLE otherwise. SES's own words go to
 * `log`, never into the AppError (whose detail the outbox keeps as the message's last error).
 */
export function createSesMailer(options: SesMailerOptions): Mailer {
  const region = regionOf(options, "The SES mailer");
  const client = new AwsHttpClient(
    "ses",
    region,
    options.endpoint ?? sesEndpoint(region),
    // One message is not worth holding a batch of the stream for long; the outbox retries.
    {
      ...options,
      maxAttempts: options.maxAttempts ?? 2,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    },
  );
  const { configurationSet, log } = options;
  const compose = options.composeMime ?? composeMime;

  return {
    async send(message) {
      const mime = await compose(message);
      try {
        await client.send(
          {
            path: SEND_EMAIL_PATH,
            headers: { "content-type": "application/json" },
            body: sendEmailBody(message, mime, configurationSet),
          },
          (answer) => {
            readJsonAnswer(answer, SesServiceError);
          },
          isRetryable,
        );
      } catch (error) {
        const refused = refusalOf(error);
        log?.({
          level: refused.code === "MAIL_REJECTED" ? "error" : "warn",
          message: "SES did not take the message",
          messageId: message.messageId,
          code: refused.code,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw refused;
      }
    },
  };
}

/** The shop's words for SES's refusal: its error type (a stable code), never its message. */
const refusalOf = (error: unknown): AppError =>
  error instanceof SesServiceError && REJECTIONS.has(error.name)
    ? mailRejected(`SES refused the message for good (${error.name})`, error)
    : mailUnavailable(error);
