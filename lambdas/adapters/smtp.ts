/**
 * Real email for the local runtime: when an SMTP server is configured (e.g. the firm's relay, or a
 * test server), a compliance notice goes out as a plain-text email with the same subject and body
 * SNS would send, and the message attributes as X-Bestex-* headers (for mail rules). On AWS, SNS
 * email subscriptions do this instead.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Notice } from '../shared/notice';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://… (nodemailer connection URL). */
  url: string;
  from: string;
  to: string | string[];
  /** Give up on an unresponsive server after this long. @default 15000 */
  timeoutMs?: number;
}

export interface SmtpResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

const header = (k: string): string => `X-Bestex-${k.charAt(0).toUpperCase()}${k.slice(1)}`;

/** Sends one notice; rejects with the server's answer when it refuses the message. */
export async function sendViaSmtp(notice: Notice, settings: SmtpSettings): Promise<SmtpResult> {
  const timeout = settings.timeoutMs ?? 15_000;
  const options: SMTPTransport.Options = {
    url: settings.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  };
  const transport = nodemailer.createTransport(options);
  try {
    const headers = Object.fromEntries(Object.entries(notice.attributes ?? {}).map(([k, v]) => [header(k), v]));
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: notice.subject,
      text: notice.message,
      headers,
    });
    const addr = (xs: unknown[] | undefined): string[] =>
      (xs ?? []).map((x) => (typeof x === 'string' ? x : ((x as { address?: string }).address ?? String(x))));
    return { messageId: info.messageId, accepted: addr(info.accepted), rejected: addr(info.rejected), response: info.response };
  } finally {
    transport.close();
  }
}
