import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import { createFileMailer, EML_FILE } from "../../../src/mail/file-mailer.js";
import type { MailMessage } from "../../../src/services/index.js";

// The local mail service writes each message as an RFC 5322 file that a mail parser reads back
// whole: both parts, the recipient, the subject and the Message-ID by which duplicates group.

const work = await mkdtemp(join(tmpdir(), "file-mailer-"));
afterAll(() => rm(work, { recursive: true, force: true }));

const MESSAGE: MailMessage = {
  messageId: "order-1.placed@shop.example.com",
  from: "Serverless Store <shop@shop.example.com>",
  to: "ada@example.com",
  subject: "Serverless Store: we have your order — ünïcode",
  text: "Hello <Ada>,\nThank you.\n",
  html: "<p>Hello &lt;Ada&gt;,</p><p>Thank you.</p>",
};

describe("the file mailer", () => {
  it("writes a message a mail parser reads back: parts, To, Subject, Message-ID", async () => {
    const dir = join(work, "mail");
    const logged: Record<string, unknown>[] = [];
    const mailer = createFileMailer({ dir, log: (entry) => logged.push(entry) });
    await mailer.send(MESSAGE);

    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const [name] = files as [string];
    expect(name).toMatch(EML_FILE);
    const path = join(dir, name);
    expect(logged).toEqual([
      { level: "info", message: "order e-mail written", path, messageId: MESSAGE.messageId },
    ]);

    const parsed = await simpleParser(await readFile(path));
    expect(parsed.messageId).toBe(`<${MESSAGE.messageId}>`);
    expect(parsed.subject).toBe(MESSAGE.subject);
    expect(parsed.from?.value).toEqual([
      { address: "shop@shop.example.com", name: "Serverless Store" },
    ]);
    expect(Array.isArray(parsed.to) ? undefined : parsed.to?.value).toEqual([
      { address: "ada@example.com", name: "" },
    ]);
    expect(parsed.text).toBe(MESSAGE.text);
    expect(parsed.html).toBe(MESSAGE.html);
    expect(parsed.date).toBeInstanceOf(Date);
    expect(parsed.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
  });

  it("writes a message sent twice as two files with one Message-ID", async () => {
    const dir = join(work, "twice");
    const mailer = createFileMailer({ dir, log: () => {} });
    await mailer.send(MESSAGE);
    await mailer.send(MESSAGE);
    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    const ids = await Promise.all(
      files.map(async (file) => (await simpleParser(await readFile(join(dir, file)))).messageId),
    );
    expect(ids).toEqual([`<${MESSAGE.messageId}>`, `<${MESSAGE.messageId}>`]);
  });

  it("answers MAIL_UNAVAILABLE, leaving no file, when it cannot write", async () => {
    // A file where the folder should be: no process, root's included, can write under it.
    const blocked = join(work, "blocked");
    await writeFile(blocked, "");
    const error = await createFileMailer({ dir: join(blocked, "mail"), log: () => {} })
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("MAIL_UNAVAILABLE");
  });
});
