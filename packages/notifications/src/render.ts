import type { Notification, NotificationTable } from './notification.js';

/** A rendered notification: what an email or a webhook sends. */
export interface RenderedNotification {
  /** One line, without control characters. */
  readonly subject: string;
  /** The plain-text part, lines ending in `\n`. */
  readonly text: string;
  /** The HTML part, every value escaped. */
  readonly html: string;
}

/** Options of {@link renderNotification}. */
export interface RenderOptions {
  /** The bot's id, put before the subject: `[btc-bot] …`. */
  readonly botId: string;
  /**
   * The size cap of each part, bytes of UTF-8 (64 KiB by default, at least 1 KiB): a table is cut to the rows that
   * fit, with a line saying how many were left out, and a part still too long is cut at the cap.
   */
  readonly maxBytes?: number;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
 * @param value - any text.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Cuts `text` to at most `max` bytes of UTF-8, on a character boundary. */
function cut(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  const buffer = Buffer.from(text, 'utf8').subarray(0, max);
  // A cut inside a multi-byte character leaves a replacement character at the end: drop it.
  return buffer.toString('utf8').replace(/\uFFFD$/, '');
}

const SEVERITY_COLOURS = { info: '#1f6feb', warning: '#b26b00', error: '#c62828', critical: '#8e0000' } as const;

function textTable(table: NotificationTable, rows: readonly (readonly string[])[], omitted: number): string[] {
  if (table.rows.length === 0) return [table.heading, `  ${table.empty}`];
  const widths = table.columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}`;
  return [
    table.heading,
    line(table.columns),
    ...rows.map(line),
    ...(omitted > 0 ? [`  … ${omitted} more not shown`] : []),
  ];
}

function htmlTable(table: NotificationTable, rows: readonly (readonly string[])[], omitted: number): string {
  const cell = 'padding:4px 8px;border-bottom:1px solid #ddd;text-align:left';
  const heading = `<h3 style="margin:16px 0 4px">${escapeHtml(table.heading)}</h3>`;
  if (table.rows.length === 0) return `${heading}<p>${escapeHtml(table.empty)}</p>`;
  const head = table.columns.map((column) => `<th style="${cell}">${escapeHtml(column)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((value) => `<td style="${cell}">${escapeHtml(value)}</td>`).join('')}</tr>`)
    .join('');
  const more = omitted > 0 ? `<p>… ${omitted} more not shown</p>` : '';
  return `${heading}<table style="border-collapse:collapse"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

function renderParts(notification: Notification, botId: string, rowLimit: number): RenderedNotification {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters (CR, LF) are what a subject must not hold.
  const subject = `[${botId}] ${notification.title}`.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const shown = notification.tables.map((table) => ({
    table,
    rows: table.rows.slice(0, rowLimit),
    omitted: Math.max(0, table.rows.length - rowLimit),
  }));
  const text = [
    notification.title,
    `Severity: ${notification.severity}`,
    '',
    ...notification.fields.map(([label, value]) => `${label}: ${value}`),
    ...shown.flatMap(({ table, rows, omitted }) => ['', ...textTable(table, rows, omitted)]),
    '',
    `-- ${botId}`,
  ].join('\n');
  const colour = SEVERITY_COLOURS[notification.severity];
  const fields = notification.fields
    .map(
      ([label, value]) =>
        `<tr><th style="padding:2px 12px 2px 0;text-align:left;font-weight:600">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head><body style="font-family:system-ui,sans-serif;font-size:14px;color:#222">',
    `<h2 style="margin:0 0 4px">${escapeHtml(notification.title)}</h2>`,
    `<p style="margin:0 0 12px;color:${colour};font-weight:600">${escapeHtml(notification.severity.toUpperCase())}</p>`,
    fields === '' ? '' : `<table>${fields}</table>`,
    ...shown.map(({ table, rows, omitted }) => htmlTable(table, rows, omitted)),
    `<p style="margin-top:16px;color:#666">${escapeHtml(botId)}</p>`,
    '</body></html>',
  ].join('');
  return { subject, text: `${text}\n`, html };
}

/**
 * Renders a notification as an email's subject, plain-text and HTML parts (the layout shared by every kind: the
 * title, the severity, the fields, then the tables), escaping every value, within the size cap.
 * @param notification - the notification.
 * @param options - the bot's id, the size cap.
 * @returns the subject and both parts.
 */
export function renderNotification(notification: Notification, options: RenderOptions): RenderedNotification {
  const maxBytes = Math.max(1024, options.maxBytes ?? 65_536);
  const longest = Math.max(0, ...notification.tables.map((table) => table.rows.length));
  let rowLimit = longest;
  let rendered = renderParts(notification, options.botId, rowLimit);
  while ((bytes(rendered.text) > maxBytes || bytes(rendered.html) > maxBytes) && rowLimit > 0) {
    rowLimit = Math.floor(rowLimit / 2);
    rendered = renderParts(notification, options.botId, rowLimit);
  }
  const note = '\n… (cut at the size cap)\n';
  return {
    subject: cut(rendered.subject, 998),
    text: bytes(rendered.text) <= maxBytes ? rendered.text : `${cut(rendered.text, maxBytes - bytes(note))}${note}`,
    html:
      bytes(rendered.html) <= maxBytes
        ? rendered.html
        : `<!doctype html><html><body><pre>${escapeHtml(cut(rendered.text, Math.floor(maxBytes / 6) - 64))}</pre></body></html>`,
  };
}
