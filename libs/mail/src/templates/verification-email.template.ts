import type { OutgoingMail } from '../outgoing-mail';

export interface VerificationEmail {
  messageId: string;
  to: string;
  firstName: string | null;
  verificationUrl: string;
  expiresAt: Date;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The verification mail, in text and HTML (no images, no external assets, no tracking). */
export function verificationEmail(mail: VerificationEmail): OutgoingMail {
  const greeting = mail.firstName ? `Hello ${mail.firstName},` : 'Hello,';
  const expires = mail.expiresAt.toUTCString();
  return {
    messageId: mail.messageId,
    to: mail.to,
    subject: 'Confirm your email address',
    text: [
      greeting,
      '',
      'Please confirm your email address by opening this link:',
      mail.verificationUrl,
      '',
      `The link works once, until ${expires}. If you did not sign up, ignore this mail.`,
    ].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family: sans-serif">',
      `<p>${escapeHtml(greeting)}</p>`,
      '<p>Please confirm your email address:</p>',
      `<p><a href="${escapeHtml(mail.verificationUrl)}">Confirm my email address</a></p>`,
      `<p style="color: #555">The link works once, until ${escapeHtml(expires)}. If you did not sign up, ignore this mail.</p>`,
      '</body></html>',
    ].join('\n'),
  };
}
