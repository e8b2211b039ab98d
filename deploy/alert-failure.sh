#!/usr/bin/env bash
# Alerts that systemd gave up on a unit (quant-bot-failure@.service runs it): a critical journal entry, always; a
# JSON POST to ALERT_WEBHOOK_URL (Slack, Discord or Telegram bridges) and a mail to ALERT_EMAIL through sendmail,
# when set in /etc/quant-bot/quant-bot.env. Never exits non-zero because a channel failed: each is tried.
set -uo pipefail

unit="${1:-quant-bot.service}"
host="$(hostname)"
text="quant-bot on ${host}: systemd gave up on ${unit} after repeated failures; trading is stopped. See: journalctl -u ${unit} -n 200"

logger --priority daemon.crit --tag quant-bot-alert -- "${text}"

if [[ -n "${ALERT_WEBHOOK_URL:-}" ]]; then
  # A JSON string: backslashes first, then quotes (the unit's instance name and the host name are the free parts).
  escaped="${text//\\/\\\\}"
  escaped="${escaped//\"/\\\"}"
  payload="$(printf '{"text":"%s"}' "${escaped}")"
  if ! curl --fail --silent --show-error --max-time 10 \
    --header 'Content-Type: application/json' --data "${payload}" "${ALERT_WEBHOOK_URL}" >/dev/null; then
    logger --priority daemon.err --tag quant-bot-alert -- "the webhook alert could not be sent"
  fi
fi

if [[ -n "${ALERT_EMAIL:-}" ]] && command -v sendmail >/dev/null 2>&1; then
  if ! printf 'To: %s\nSubject: [quant-bot] %s failed on %s\n\n%s\n' "${ALERT_EMAIL}" "${unit}" "${host}" "${text}" |
    sendmail -t; then
    logger --priority daemon.err --tag quant-bot-alert -- "the email alert could not be sent"
  fi
fi
exit 0
