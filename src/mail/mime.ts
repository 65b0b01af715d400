import MailComposer from "nodemailer/lib/mail-composer";
import type { MailMessage } from "../services/index.js";

/**
 * `message` as an RFC 5322 message: From, To, Subject, Date, `Message-ID: <messageId>`, and the
 * text and HTML parts as multipart/alternative (a client shows the last part it can). Content is
 * only ever the strings given: the composer may read no file and fetch no URL for a part.
 */
export async function composeMime(message: MailMessage): Promise<Buffer> {
  const composer = new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    messageId: `<${message.messageId}>`,
    text: message.text,
    html: message.html,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
