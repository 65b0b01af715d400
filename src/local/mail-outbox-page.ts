import { readdir, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { EML_FILE } from "../mail/file-mailer.js";
import { type LocalHandler, sendBytes, splitTarget } from "./plain-http.js";

// The local mailbox, for a developer at a browser: `GET /dev/mail` lists the `.eml` files the
// file mailer wrote (newest first), `GET /dev/mail/<file>` shows one: its headers, its text
// part, and its HTML part in a sandboxed frame under a policy that runs no script and loads
// nothing, so a message's HTML can do nothing but be seen. Served by the dev server alone, and
// only when it writes e-mails as files; no Lambda function has this page. The messages are read
// with mailparser, a development dependency, as GraphiQL's files are.

export const MAIL_OUTBOX_PATH = "/dev/mail";
/** The newest messages the list shows. */
const LISTED = 200;

/**
 * Nothing but the page's own inline styles: no script (none is needed), no image or font, no
 * request of any kind, and the frame holding a message's HTML inherits the same policy.
 */
const OUTBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

interface ParsedMessage {
  date: Date | undefined;
  from: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html: string | undefined;
}

async function parse(path: string): Promise<ParsedMessage> {
  const { simpleParser } = await import("mailparser");
  const mail = await simpleParser(await readFile(path));
  const addresses = (field: typeof mail.to) =>
    field === undefined
      ? ""
      : (Array.isArray(field) ? field : [field]).map((a) => a.text).join(", ");
  return {
    date: mail.date,
    from: mail.from?.text ?? "",
    to: addresses(mail.to),
    subject: mail.subject ?? "",
    messageId: mail.messageId ?? "",
    text: mail.text ?? "",
    html: mail.html === false ? undefined : mail.html,
  };
}

const layout = (title: string, body: string): Buffer =>
  Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: clamp(0.75rem, 4vw, 2rem); }
      table { border-collapse: collapse; }
      th, td { text-align: left; padding: 0.3rem 0.8rem; border-bottom: 1px solid #ddd; }
      td, pre, p { overflow-wrap: anywhere; }
      pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }
      iframe { width: 100%; height: 32rem; border: 1px solid #ccc; }
    </style>
  </head>
  <body>
${body}
  </body>
</html>
`);

async function listPage(dir: string): Promise<Buffer> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => EML_FILE.test(name))
    .sort()
    .reverse()
    .slice(0, LISTED);
  const rows = await Promise.all(
    files.map(async (name) => {
      const message = await parse(join(dir, name));
      return `<tr><td>${escapeHtml(message.date?.toISOString() ?? "")}</td><td>${escapeHtml(
        message.to,
      )}</td><td><a href="${MAIL_OUTBOX_PATH}/${encodeURIComponent(name)}">${escapeHtml(
        message.subject || "(no subject)",
      )}</a></td></tr>`;
    }),
  );
  const table =
    rows.length === 0
      ? `<p>No e-mail yet. Messages are written to ${escapeHtml(dir)} as they are sent.</p>`
      : `<table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join(
          "",
        )}</tbody></table>`;
  return layout(
    "Outbox",
    `<h1>Outbox</h1>\n<p>The e-mails this server sent, newest first.</p>\n${table}`,
  );
}

async function messagePage(dir: string, name: string): Promise<Buffer> {
  const message = await parse(join(dir, name));
  const headers: [string, string][] = [
    ["Date", message.date?.toISOString() ?? ""],
    ["From", message.from],
    ["To", message.to],
    ["Subject", message.subject],
    ["Message-ID", message.messageId],
  ];
  // The HTML part as the frame's own document (srcdoc, escaped into the attribute); `sandbox`
  // without allow-scripts, and the page's policy, which the frame inherits, runs nothing.
  const html =
    message.html === undefined
      ? "<p>No HTML part.</p>"
      : `<iframe title="HTML part" sandbox="" srcdoc="${escapeHtml(message.html)}"></iframe>`;
  return layout(
    message.subject,
    `<p><a href="${MAIL_OUTBOX_PATH}">All e-mails</a></p>
<h1>${escapeHtml(message.subject || "(no subject)")}</h1>
<table>${headers
      .map(([field, value]) => `<tr><th>${field}</th><td>${escapeHtml(value)}</td></tr>`)
      .join("")}</table>
<h2>Text part</h2>
<pre>${escapeHtml(message.text)}</pre>
<h2>HTML part</h2>
${html}
<p>File: ${escapeHtml(join(dir, name))}</p>`,
  );
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
  });
  response.end("no such e-mail\n");
}

/** The outbox page over the `.eml` files in `dir`; false for every other address. */
export function createMailOutboxPage(options: { dir: string }): LocalHandler {
  const { dir } = options;
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const { path } = splitTarget(request.url ?? "/");
    const rest = path === MAIL_OUTBOX_PATH ? "" : path.slice(MAIL_OUTBOX_PATH.length + 1);
    if (path !== MAIL_OUTBOX_PATH && !path.startsWith(`${MAIL_OUTBOX_PATH}/`)) return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      request.resume();
      response.writeHead(405, { Allow: "GET, HEAD" });
      response.end();
      return true;
    }
    const page = {
      type: "text/html; charset=utf-8",
      cache: "no-store",
      contentSecurityPolicy: OUTBOX_CSP,
    };
    if (rest === "") {
      sendBytes(request, response, page, await listPage(dir));
      return true;
    }
    // A file name the mailer writes, and nothing else: no path, no dot segment, no other file.
    const name = decoded(rest);
    if (name === undefined || !EML_FILE.test(name)) {
      notFound(response);
      return true;
    }
    try {
      sendBytes(request, response, page, await messagePage(dir, name));
    } catch {
      notFound(response);
    }
    return true;
  };
  return (request, response) =>
    (request.url ?? "").startsWith(MAIL_OUTBOX_PATH) ? serve(request, response) : false;
}
