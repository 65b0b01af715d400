import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mailUnavailable } from "../domain/index.js";
import type { Logger, Mailer } from "../services/index.js";
import { composeMime } from "./mime.js";

// The local mail service: each message becomes one `.eml` file (RFC 5322, what a mail client
// opens) in the data directory, and the log says where. A message sent twice is two files with
// the same Message-ID, as a mailbox would get it.

/** What a message's file is called: when it was written, then its Message-ID, made safe. */
export const EML_FILE = /^[0-9TZ-]+-[\w.@-]+-[0-9a-f]{6}\.eml$/;

export function createFileMailer(options: { dir: string; log: Logger }): Mailer {
  const { dir, log } = options;
  return {
    async send(message) {
      const bytes = await composeMime(message);
      const written = new Date().toISOString().replace(/[:.]/g, "-");
      const id = message.messageId.replace(/[^\w.@-]/g, "_");
      const name = `${written}-${id}-${randomBytes(3).toString("hex")}.eml`;
      const path = join(dir, name);
      // Written aside, then renamed: a reader (the outbox page, a test) never sees half a file.
      const temporary = join(dir, `.${name}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temporary, bytes, { flag: "wx" });
        await rename(temporary, path);
      } catch (error) {
        // Whatever kept the file from being written may keep it from being removed too.
        await rm(temporary, { force: true }).catch(() => {});
        throw mailUnavailable(error);
      }
      log({ level: "info", message: "order e-mail written", path, messageId: message.messageId });
    },
  };
}
