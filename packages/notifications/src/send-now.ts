import type { OutboxEntry } from '@quant/store';
import type { NotificationChannel } from './channels/channel.js';
import type { Notification } from './notification.js';
import { renderNotification } from './render.js';

/** How a {@link sendNow} went on one channel. */
export interface SendResult {
  readonly channel: string;
  /** The recipients (an email's), empty for a webhook. */
  readonly recipients: readonly string[];
  /** The channel's error, or `null` when it confirmed the message. */
  readonly error: string | null;
}

/**
 * Sends a notification once on each channel now, without the outbox: what an operator's command does (it sees the
 * result at once, and a running bot's outbox is left to that bot). Every channel is tried, whatever the others do.
 * @param notification - the notification.
 * @param channels - the channels to send it on.
 * @param options - the bot's id (the subject's tag), the recipients (the channels' defaults when empty), the size
 *   cap in bytes.
 * @returns one result per channel, in order.
 */
export async function sendNow(
  notification: Notification,
  channels: readonly NotificationChannel[],
  options: { readonly botId: string; readonly recipients?: readonly string[]; readonly maxBytes?: number },
): Promise<SendResult[]> {
  const rendered = renderNotification(notification, options);
  const results: SendResult[] = [];
  for (const channel of channels) {
    const recipients = options.recipients?.length ? options.recipients : channel.defaultRecipients;
    const message: OutboxEntry = {
      id: `${notification.id}:${channel.name}`,
      notificationId: notification.id,
      channel: channel.name,
      kind: notification.kind,
      severity: notification.severity,
      recipients,
      ...rendered,
      data: notification.data,
      coalesceKey: null,
      createdAt: notification.createdAt,
      status: 'pending',
      attempts: 0,
      coalesced: 0,
      nextAttemptAt: notification.createdAt,
      sentAt: null,
      lastError: null,
    };
    try {
      await channel.send(message);
      results.push({ channel: channel.name, recipients, error: null });
    } catch (error) {
      results.push({
        channel: channel.name,
        recipients,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}
