// STAND-IN, NOT FOR MERGE: the mailsvc helper owns src/mail/mime.ts. This minimal version exists
// only so that the SES mailer's tests run on the mailaws branch; the integrator keeps mailsvc's
// file and drops this one.
import MailComposer from "nodemailer/lib/mail-composer";
import type { MailMessage } from "../services/outbox-ports.js";

/** The message as RFC 5322 bytes: Message-ID, From, To, Subject, text and HTML alternatives. */
export async function composeMime(message: MailMessage): Promise<Buffer> {
  return new MailComposer({
    messageId: `<${message.messageId}>`,
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  })
    .compile()
    .build();
}
