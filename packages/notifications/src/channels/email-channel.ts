import type { OutboxEntry } from '@quant/store';
import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationChannel } from './channel.js';

/**
 * How the SMTP connection is secured: `starttls` (port 587: plain, then upgraded; the upgrade is required),
 * `tls` (port 465: TLS from the start), `none` (plain text: a relay on this machine only).
 */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

/** Options of {@link EmailChannel}. */
export interface EmailChannelOptions {
  /** The SMTP server's host name or address. */
  readonly host: string;
  /** Its port: 587 for `starttls`, 465 for `tls`, 25 for a relay. */
  readonly port: number;
  readonly security: SmtpSecurity;
  /** The SMTP user; empty or absent: no authentication. */
  readonly user?: string;
  /** The SMTP password: from the environment only, never a file. */
  readonly password?: string;
  /** The sender, e.g. `quant-bot <bot@example.com>`. */
  readonly from: string;
  /** The recipients of a message whose route names none. */
  readonly to: readonly string[];
  /** How long to wait for the connection, the greeting and each reply, ms; 10 000 by default. */
  readonly timeoutMs?: number;
  /** TLS: accept a certificate no known authority signed (a test server); `false` by default. */
  readonly allowUnverifiedCertificate?: boolean;
}

/**
 * The email channel: sends each message as one email with a plain-text and an HTML part through an SMTP server,
 * with nodemailer. The message's outbox id is its `Message-ID`, so a resend after a crash is the same message to
 * the receiving server and to mail clients.
 * @example
 * ```ts
 * import { EmailChannel } from '@quant/notifications';
 *
 * const email = new EmailChannel({
 *   host: 'smtp.example.com',
 *   port: 587,
 *   security: 'starttls',
 *   user: 'bot@example.com',
 *   password: process.env.NOTIFICATIONS_EMAIL_SMTP_PASSWORD,
 *   from: 'quant-bot <bot@example.com>',
 *   to: ['ops@example.com'],
 * });
 * ```
 */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email';
  readonly defaultRecipients: readonly string[];
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #domain: string;

  /** @param options - the server, the credentials, the sender and the default recipients. */
  constructor(options: EmailChannelOptions) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const user = options.user ?? '';
    this.#transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.security === 'tls',
      requireTLS: options.security === 'starttls',
      ignoreTLS: options.security === 'none',
      auth: user === '' ? undefined : { user, pass: options.password ?? '' },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      tls: { rejectUnauthorized: options.allowUnverifiedCertificate !== true },
    });
    this.#from = options.from;
    this.#domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'quant-bot.invalid';
    this.defaultRecipients = [...options.to];
  }

  /**
   * Sends one email.
   * @throws nodemailer's error: the server refused, could not be reached, or did not answer in time.
   */
  async send(message: OutboxEntry): Promise<void> {
    if (message.recipients.length === 0) throw new Error('the message has no recipients: set notifications.email.to');
    // Alerts of the same key that came within the coalescing window before this one was sent.
    const more = message.coalesced === 0 ? '' : ` (+${message.coalesced} more like it)`;
    await this.#transport.sendMail({
      from: this.#from,
      to: [...message.recipients],
      subject: `${message.subject}${more}`,
      text:
        more === ''
          ? message.text
          : `${message.text}\n${message.coalesced} more like it came within the coalescing window.\n`,
      html: message.html,
      messageId: `<${message.id.replace(/[^A-Za-z0-9._:-]/g, '_')}@${this.#domain}>`,
      headers: { 'X-Quant-Severity': message.severity, 'X-Quant-Kind': message.kind },
    });
  }

  /** Closes the SMTP connections. */
  async close(): Promise<void> {
    this.#transport.close();
  }
}
