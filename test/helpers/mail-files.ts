import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { EML_FILE } from "../../src/mail/file-mailer.js";

/** The first address a parsed message is sent to. */
export function recipientOf(mail: ParsedMail): string | undefined {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address;
}

/** Every `.eml` message the file mailer wrote into `dir` so far, parsed; none before the first. */
export async function readMailFiles(dir: string): Promise<ParsedMail[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names
      .filter((name) => EML_FILE.test(name))
      .sort()
      .map(async (name) => simpleParser(await readFile(join(dir, name)))),
  );
}

/**
 * The first message in `dir` to `to` whose subject matches `subject`, once the outbox has sent
 * it (the dev server sends after the request, so it is waited for); throws after `timeoutMs`.
 */
export async function waitForMail(
  dir: string,
  to: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readMailFiles(dir)).find(
      (mail) => recipientOf(mail) === to && subject.test(mail.subject ?? ""),
    );
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no e-mail to ${to} matching ${subject} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
