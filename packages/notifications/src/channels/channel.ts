import type { OutboxEntry } from '@quant/store';

/**
 * A way to deliver notifications (email, a webhook, one of your own). The notification service calls `send` for
 * each message from the outbox, one at a time per channel, off the trading path; a send that resolves is marked
 * sent, one that rejects is tried again (3 attempts, 5 s apart by default) and then kept as a dead letter.
 *
 * A send whose outcome is unknown (a timeout after the message may have gone) rejects too: the message is sent
 * again, so a channel delivers at least once. Give the receiver the message's `id` to drop a repeat (the email
 * channel makes it the `Message-ID`; the webhook sends it as `id` and in the `Idempotency-Key` header).
 * @example
 * ```ts
 * import type { NotificationChannel } from '@quant/notifications';
 *
 * const stdout: NotificationChannel = {
 *   name: 'stdout',
 *   defaultRecipients: [],
 *   async send(message) {
 *     process.stdout.write(message.text);
 *   },
 * };
 * ```
 */
export interface NotificationChannel {
  /** The channel's name, as routes and the outbox know it: `email`, `webhook`, … */
  readonly name: string;
  /** The recipients of a message whose route names none (an email's `to`); empty for a webhook. */
  readonly defaultRecipients: readonly string[];
  /**
   * Delivers one message (its `recipients`, `subject`, `text`, `html`, `data`).
   * @throws anything: the attempt failed (the error's message is kept as the entry's `lastError`).
   */
  send(message: OutboxEntry): Promise<void>;
  /** Releases connections; called once when the service stops. */
  close?(): Promise<void>;
}
