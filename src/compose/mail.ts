import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AppError, mailUnavailable } from "../domain/index.js";
import type { Logger, Mailer, OrderLinks, Recipients, Store } from "../services/index.js";
import { createOrderLinks } from "../services/order-links.js";
import type { Config, OrderLinkKeySource } from "./config.js";
import { onFirstUse } from "./on-first-use.js";

// The ports of order e-mail, picked from the config: who sends (files locally, SES in AWS), where
// a customer's address is read (the local pool's users in the store, or Cognito), and the key of
// guests' order links. Each adapter loads on its first use, so a function that never sends
// e-mail (the REST API's) never loads the MIME composer or SES.

export interface MailPorts {
  mailer: Mailer;
  recipients: Recipients;
  links: OrderLinks;
}

const LINK_KEY_BYTES = 32;

export function createMailPorts(config: Config, deps: { store: Store; log: Logger }): MailPorts {
  return {
    mailer: createMailer(config, deps.log),
    recipients: createRecipients(config, deps.store),
    links: createOrderLinks(() => linkKeyOf(config.mail.linkKey)),
  };
}

function createMailer(config: Config, log: Logger): Mailer {
  const provider = config.mail.provider;
  if (provider.kind === "ses") {
    return {
      send: async () => {
        throw mailUnavailable(new Error("MAIL_PROVIDER=ses: the SES mailer is not configured"));
      },
    };
  }
  const mailer = onFirstUse(async () => {
    const { createFileMailer } = await import("../mail/file-mailer.js");
    return createFileMailer({ dir: provider.dir, log });
  });
  return { send: async (message) => (await mailer()).send(message) };
}

function createRecipients(config: Config, store: Store): Recipients {
  if (config.auth.mode === "cognito") {
    return {
      emailOf: async () => {
        throw new AppError("NOT_IMPLEMENTED", "customers' addresses are not read from Cognito yet");
      },
    };
  }
  // The local pool's users are the store's.
  return { emailOf: async (userId) => (await store.getUser(userId))?.email };
}

async function linkKeyOf(source: OrderLinkKeySource): Promise<Uint8Array> {
  switch (source.from) {
    case "env":
      return Buffer.from(source.key, "base64url");
    case "ssm": {
      const { readSecureParameters } = await import("../aws/ssm-parameters.js");
      const values = await readSecureParameters([source.parameter]);
      const key = values[source.parameter]?.trim() ?? "";
      if (!/^[\w-]{43}$/.test(key)) {
        throw new Error(`SSM parameter ${source.parameter} does not hold 32 bytes in base64url`);
      }
      return Buffer.from(key, "base64url");
    }
    case "file":
      return fileKey(source.file);
    case "process":
      return randomBytes(LINK_KEY_BYTES);
  }
}

/**
 * The key in `file`, made there first when missing: written aside and linked into place, which
 * fails if the file exists, so two processes starting at once agree on the first one's key.
 */
async function fileKey(file: string): Promise<Uint8Array> {
  await mkdir(dirname(file), { recursive: true });
  const aside = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(aside, randomBytes(LINK_KEY_BYTES).toString("base64url"), { mode: 0o600 });
  try {
    await link(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await rm(aside, { force: true });
  }
  const key = Buffer.from((await readFile(file, "utf8")).trim(), "base64url");
  if (key.length !== LINK_KEY_BYTES) throw new Error(`${file} does not hold a 32-byte key`);
  return key;
}
