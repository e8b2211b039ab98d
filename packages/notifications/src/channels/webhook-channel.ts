import type { OutboxEntry } from '@quant/store';
import type { NotificationChannel } from './channel.js';

/** Options of {@link WebhookChannel}. */
export interface WebhookChannelOptions {
  /** The `http(s)://` URL to POST to. It may hold a token (Slack, Telegram): keep it in the environment. */
  readonly url: string;
  /** How long to wait for the answer, ms; 10 000 by default. */
  readonly timeoutMs?: number;
}

/**
 * The webhook channel: POSTs each message as JSON, for a Slack, Discord or Telegram bridge or your own service:
 * `{ id, kind, severity, subject, text, coalesced, createdAt, data }` (`text` is what Slack's incoming webhooks
 * show), with the message's id in the `Idempotency-Key` header. A 2xx answer is success; anything else, a network
 * error or a timeout fails the attempt.
 * @example
 * ```ts
 * import { WebhookChannel } from '@quant/notifications';
 *
 * const webhook = new WebhookChannel({ url: process.env.NOTIFICATIONS_WEBHOOK_URL ?? '' });
 * ```
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  readonly defaultRecipients: readonly string[] = [];
  readonly #url: string;
  readonly #timeoutMs: number;

  /** @param options - the URL, the timeout. */
  constructor(options: WebhookChannelOptions) {
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * POSTs one message.
   * @throws an `Error` naming the status of a non-2xx answer (never the URL, which may hold a token), or fetch's
   *   error (refused, timed out).
   */
  async send(message: OutboxEntry): Promise<void> {
    const body = JSON.stringify({
      id: message.id,
      kind: message.kind,
      severity: message.severity,
      subject: message.subject,
      text: message.text,
      coalesced: message.coalesced,
      createdAt: message.createdAt,
      data: message.data,
    });
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': message.id },
      body,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the webhook answered ${response.status} ${response.statusText}`.trim());
  }
}
