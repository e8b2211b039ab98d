import { describe, expect, it } from 'vitest';
import { apiListenProblem } from './schema/api.js';
import { failure, load } from './test-support.js';

describe('the api and notifications sections', () => {
  it.each(['', '8080', '0', '127.0.0.1:8080', 'localhost:65535', '[::1]:9000', '0.0.0.0:80'])(
    'accepts listen %j',
    (listen) => {
      expect(apiListenProblem(listen)).toBeUndefined();
    },
  );

  it.each(['http://127.0.0.1:8080', '65536', '127.0.0.1:', ':8080', 'host:port', '::1:8080', '127.0.0.1:80 '])(
    'refuses listen %j, saying what it expects',
    (listen) => {
      expect(apiListenProblem(listen)).toContain('expected [host:]port');
    },
  );

  it('takes the token from API_TOKEN and refuses one written in a file', () => {
    expect(load({}, { API_TOKEN: 'a'.repeat(32) }).config.api.token).toBe('a'.repeat(32));
    const written = failure(() => load({ 'config/services.yaml': `api:\n  token: ${'b'.repeat(24)}\n` }));
    expect(written.message).toContain('api.token');
    expect(written.message).not.toContain('b'.repeat(24));
  });

  it('refuses a short token, naming the key and the variable, without showing it', () => {
    const error = failure(() => load({}, { API_TOKEN: 'tooShort' }));
    expect(error.message).toMatch(/api\.token[\s\S]*API_TOKEN[\s\S]*at least 16 characters/);
    expect(error.message).not.toContain('tooShort');
  });

  it('refuses a bad listen address, naming the key', () => {
    expect(failure(() => load({}, { API_LISTEN: 'localhost' })).message).toMatch(/api\.listen[\s\S]*\[host:\]port/);
  });

  it("checks the daily summary's time zone and the shape of its cron expression, naming the key", () => {
    expect(failure(() => load({}, { NOTIFICATIONS_DAILY_SUMMARY_TIME_ZONE: 'Mars/Olympus' })).message).toMatch(
      /notifications\.daily_summary_time_zone[\s\S]*IANA time zone/,
    );
    expect(failure(() => load({}, { NOTIFICATIONS_DAILY_SUMMARY_CRON: 'daily' })).message).toMatch(
      /notifications\.daily_summary_cron[\s\S]*minute hour day-of-month month weekday/,
    );
    expect(load({}, { NOTIFICATIONS_DAILY_SUMMARY_TIME_ZONE: 'Europe/Paris' }).config.notifications).toMatchObject({
      daily_summary_time_zone: 'Europe/Paris',
      daily_summary_cron: '30 16 * * 1-5',
    });
  });

  it('takes the SMTP password from the environment only, never showing one written in a file', () => {
    expect(
      load({}, { NOTIFICATIONS_EMAIL_SMTP_PASSWORD: 'hunter2-from-env' }).config.notifications.email,
    ).toMatchObject({
      smtp_password: 'hunter2-from-env',
    });
    const written = failure(() =>
      load({ 'config/services.yaml': 'notifications:\n  email:\n    smtp_password: hunter2\n' }),
    );
    expect(written.message).toMatch(/notifications\.email\.smtp_password[\s\S]*NOTIFICATIONS_EMAIL_SMTP_PASSWORD/);
    expect(written.message).not.toContain('hunter2');
  });

  it('reads routes, recipients and the webhook, naming the key of a bad value', () => {
    const { notifications } = load(
      {
        'config/services.yaml': [
          'notifications:',
          '  alert:',
          '    channels: [webhook]',
          '    min_severity: critical',
          '    recipients: [oncall@example.com]',
          '  email:',
          '    smtp_host: smtp.example.com',
          '    to: [ops@example.com, risk@example.com]',
          '',
        ].join('\n'),
      },
      { NOTIFICATIONS_WEBHOOK_URL: 'https://hooks.example.com/T000/B000/XXXX' },
    ).config;
    expect(notifications.alert).toEqual({
      channels: ['webhook'],
      min_severity: 'critical',
      recipients: ['oncall@example.com'],
    });
    expect(notifications.email.to).toEqual(['ops@example.com', 'risk@example.com']);
    expect(notifications.webhook.url).toBe('https://hooks.example.com/T000/B000/XXXX');
    expect(failure(() => load({}, { NOTIFICATIONS_POSITION_CHANNELS: 'email,sms' })).message).toMatch(
      /notifications\.position\.channels\.1[\s\S]*"email" \| "webhook"/,
    );
    expect(failure(() => load({}, { NOTIFICATIONS_EMAIL_TO: 'ops@example.com,not-an-address' })).message).toMatch(
      /notifications\.email\.to\.1[\s\S]*email address/,
    );
    expect(failure(() => load({}, { NOTIFICATIONS_WEBHOOK_URL: 'hooks.example.com' })).message).toMatch(
      /notifications\.webhook\.url[\s\S]*http:\/\/ or https:\/\/ URL/,
    );
    expect(failure(() => load({}, { NOTIFICATIONS_ALERT_MIN_SEVERITY: 'loud' })).message).toMatch(
      /notifications\.alert\.min_severity/,
    );
  });
});
