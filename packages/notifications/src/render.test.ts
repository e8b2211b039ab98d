import { describe, expect, it } from 'vitest';
import type { Notification } from './notification.js';
import { escapeHtml, renderNotification } from './render.js';

const base: Notification = {
  id: 'alert:e1',
  kind: 'alert',
  severity: 'critical',
  title: 'Service failed: execution\r\nBcc: victim@example.com',
  fields: [['Error', `<img src=x onerror="alert('x')"> & done`]],
  tables: [],
  data: {},
  coalesceKey: null,
  createdAt: 0,
};

describe('renderNotification', () => {
  it('escapes every value in the HTML part, keeps them as written in the text, and keeps the subject on one line', () => {
    const rendered = renderNotification(base, { botId: 'btc<bot>' });
    expect(rendered.subject).toBe('[btc<bot>] Service failed: execution Bcc: victim@example.com');
    expect(rendered.text).toContain(`Error: <img src=x onerror="alert('x')"> & done`);
    expect(rendered.html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; done');
    expect(rendered.html).toContain('btc&lt;bot&gt;');
    expect(rendered.html).not.toMatch(/<img|<bot>/);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('cuts long tables to the size cap, saying how many rows were left out', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [`BTCUSDT`, `row ${i}`, '<&>'.repeat(5)]);
    const rendered = renderNotification(
      { ...base, tables: [{ heading: 'Trades', columns: ['Symbol', 'Row', 'Note'], rows, empty: 'none' }] },
      { botId: 'bot', maxBytes: 8192 },
    );
    expect(Buffer.byteLength(rendered.text)).toBeLessThanOrEqual(8192);
    expect(Buffer.byteLength(rendered.html)).toBeLessThanOrEqual(8192);
    const shown = rendered.text.split('\n').filter((line) => line.includes('row ')).length;
    expect(shown).toBeGreaterThan(10);
    expect(rendered.text).toContain(`… ${5000 - shown} more not shown`);
    expect(rendered.html).toContain(`… ${5000 - shown} more not shown`);
  });

  it('cuts a part that is still too long at the cap, on a character boundary', () => {
    const rendered = renderNotification(
      { ...base, fields: [['Error', '€'.repeat(4000)]] },
      { botId: 'bot', maxBytes: 2048 },
    );
    expect(Buffer.byteLength(rendered.text)).toBeLessThanOrEqual(2048);
    expect(rendered.text.endsWith('… (cut at the size cap)\n')).toBe(true);
    expect(rendered.text).not.toContain('\uFFFD');
    expect(Buffer.byteLength(rendered.html)).toBeLessThanOrEqual(2048);
    expect(rendered.html).toMatch(/^<!doctype html>.*<pre>.*<\/pre><\/body><\/html>$/s);
  });
});
