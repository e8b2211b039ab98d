#!/usr/bin/env bash
# Installs quant-bot as a systemd service from this checkout. Idempotent: a second run changes nothing.
#
#   sudo deploy/setup.sh            install or upgrade: user, directories, code, build, configuration templates,
#                                   migrations, the systemd units (enabled, not started)
#   deploy/setup.sh --dry-run       print what it would do, do nothing (no root needed)
#   deploy/setup.sh --root DIR      stage the files under DIR (packaging, tests): no user, no ownership, no
#                                   migrations, no systemctl
#
# Configuration (/etc/quant-bot/services.yaml, strategies.yaml, indicators.yaml) and secrets
# (/etc/quant-bot/quant-bot.env) are created from templates only when absent: an operator's edits are never
# overwritten. See docs/DEPLOYMENT.md.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=""
DRY_RUN=0
USER_NAME="quant"
CHANGED=0
UNITS_CHANGED=0

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --root)
      [[ $# -ge 2 && -n "$2" ]] || { echo "setup.sh: --root needs a directory" >&2; exit 2; }
      ROOT="$(mkdir -p "$2" && cd "$2" && pwd)"
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (expected --dry-run, --root DIR or --help)" >&2; exit 2 ;;
  esac
  shift
done

OPT="${ROOT}/opt/quant-bot"
ETC="${ROOT}/etc/quant-bot"
VAR="${ROOT}/var/lib/quant-bot"
LOG="${ROOT}/var/log/quant-bot"
UNITS="${ROOT}/etc/systemd/system"

say() { printf '%s\n' "$*"; }
# Runs a command, or prints it with --dry-run; every change goes through here.
act() {
  CHANGED=1
  if [[ ${DRY_RUN} -eq 1 ]]; then
    say "would run: $*"
  else
    say "running: $*"
    "$@"
  fi
}
staged() { [[ -n "${ROOT}" ]]; }

check_prerequisites() {
  if [[ ${DRY_RUN} -eq 0 ]] && ! staged && [[ ${EUID} -ne 0 ]]; then
    echo "setup.sh: run it as root (sudo deploy/setup.sh), or with --dry-run to see what it would do" >&2
    exit 2
  fi
  local tool
  for tool in rsync sha256sum; do
    command -v "${tool}" >/dev/null 2>&1 || { echo "setup.sh: ${tool} is needed (apt-get install ${tool})" >&2; exit 2; }
  done
  local version
  version="$(node --version 2>/dev/null || true)"
  if [[ ! "${version}" =~ ^v(2[0-9]|[3-9][0-9])\. ]] || { [[ "${version}" =~ ^v20\.([0-9]+)\. ]] && ((BASH_REMATCH[1] < 19)); }; then
    echo "setup.sh: Node.js 20.19 or later is needed (found: ${version:-none}); see docs/DEPLOYMENT.md" >&2
    exit 2
  fi
}

ensure_user() {
  staged && return 0
  if id -u "${USER_NAME}" >/dev/null 2>&1; then
    say "user ${USER_NAME}: present"
  else
    act useradd --system --home-dir /var/lib/quant-bot --shell /usr/sbin/nologin --user-group "${USER_NAME}"
  fi
}

# ensure_dir PATH MODE OWNER: creates it, or fixes its mode and owner (owner ignored when staged).
ensure_dir() {
  local path="$1" mode="$2" owner="$3"
  if [[ ! -d "${path}" ]]; then
    act install -d -m "${mode}" "${path}"
  elif [[ "$(stat -c '%a' "${path}")" != "${mode}" ]]; then
    act chmod "${mode}" "${path}"
  fi
  if ! staged && [[ -d "${path}" || ${DRY_RUN} -eq 1 ]] && [[ "$(stat -c '%U:%G' "${path}" 2>/dev/null)" != "${owner}" ]]; then
    act chown "${owner}" "${path}"
  fi
}

# install_file SOURCE TARGET MODE: copies when the target is absent or differs.
install_file() {
  local source="$1" target="$2" mode="$3"
  if [[ -f "${target}" ]] && cmp -s "${source}" "${target}" && [[ "$(stat -c '%a' "${target}")" == "${mode}" ]]; then
    return 0
  fi
  act install -m "${mode}" "${source}" "${target}"
}

# install_template SOURCE TARGET MODE: copies only when the target is absent (an operator's file is kept).
install_template() {
  local source="$1" target="$2" mode="$3"
  if [[ -f "${target}" ]]; then
    say "${target}: present, kept"
  else
    act install -m "${mode}" "${source}" "${target}"
  fi
}

install_code() {
  # The code: this checkout without its history, dependencies and build outputs, then installed and built there.
  local rsync_args=(-a --delete --exclude .git --exclude node_modules --exclude 'dist' --exclude '.turbo'
    --exclude 'bench-results' --exclude 'docs/api' --exclude 'data')
  if [[ -d "${OPT}" ]] && [[ -z "$(rsync "${rsync_args[@]}" --dry-run --itemize-changes "${SOURCE}/" "${OPT}/")" ]]; then
    say "${OPT}: up to date"
  else
    act rsync "${rsync_args[@]}" "${SOURCE}/" "${OPT}/"
  fi
  # Dependencies and build, only when the lock file or the sources changed since the last build.
  # The stamp lives outside the code folder: writing it there would change the folder rsync compares.
  local stamp="${VAR}/.setup-build-stamp" want
  want="$(cd "${SOURCE}" && find package-lock.json packages apps -type f \( -name '*.ts' -o -name '*.json' \) \
    -not -path '*/node_modules/*' -not -path '*/dist/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
  if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]]; then
    say "build: up to date"
  elif staged; then
    act sh -c "printf '%s' '${want}' > '${stamp}'"
  else
    act sh -c "cd '${OPT}' && npm ci --no-audit --no-fund && npx turbo run build --filter=@quant/reference-bot... && printf '%s' '${want}' > '${stamp}'"
  fi
}

install_configuration() {
  install_template "${SOURCE}/config/services.yaml" "${ETC}/services.yaml" 640
  install_template "${SOURCE}/conf/strategies.yaml" "${ETC}/strategies.yaml" 640
  install_template "${SOURCE}/conf/indicators.yaml" "${ETC}/indicators.yaml" 640
  install_template "${SOURCE}/deploy/quant-bot.env.example" "${ETC}/quant-bot.env" 640
  staged && return 0
  local file
  for file in services.yaml strategies.yaml indicators.yaml quant-bot.env; do
    if [[ "$(stat -c '%U:%G' "${ETC}/${file}" 2>/dev/null)" != "root:${USER_NAME}" ]]; then
      act chown "root:${USER_NAME}" "${ETC}/${file}"
    fi
  done
}

install_units() {
  local before=${CHANGED}
  CHANGED=0
  install_file "${SOURCE}/deploy/quant-bot.service" "${UNITS}/quant-bot.service" 644
  install_file "${SOURCE}/deploy/quant-bot-failure@.service" "${UNITS}/quant-bot-failure@.service" 644
  # PostgreSQL on this machine: start after it.
  local dropin="${UNITS}/quant-bot.service.d/postgresql.conf"
  if grep -Eq '^STORE_URL=postgres(ql)?://(localhost|127\.0\.0\.1|\[::1\])' "${ETC}/quant-bot.env" 2>/dev/null; then
    if [[ ! -f "${dropin}" ]]; then
      act install -d -m 755 "${UNITS}/quant-bot.service.d"
      act sh -c "printf '[Unit]\nAfter=postgresql.service\nWants=postgresql.service\n' > '${dropin}'"
    fi
  elif [[ -f "${dropin}" ]]; then
    act rm -f "${dropin}"
  fi
  UNITS_CHANGED=${CHANGED}
  [[ ${before} -eq 1 ]] && CHANGED=1
  return 0
}

migrate_and_enable() {
  staged && return 0
  # The store's schema, as the service will open it (its STORE_URL, PGPASSWORD from the environment file). Run
  # every time: it changes nothing when the schema is up to date, so it is not counted as a change.
  local migrate=(runuser -u "${USER_NAME}" -- sh -c "set -a; . '${ETC}/quant-bot.env'; set +a; cd '${VAR}' && \
node '${OPT}/apps/reference-bot/dist/cli.js' db migrate --config '${ETC}/services.yaml'")
  if [[ ${DRY_RUN} -eq 1 ]]; then
    say "would run: ${migrate[*]}"
  else
    "${migrate[@]}"
  fi
  if [[ ${UNITS_CHANGED} -eq 1 ]]; then act systemctl daemon-reload; fi
  if systemctl is-enabled --quiet quant-bot.service 2>/dev/null; then
    say "quant-bot.service: enabled"
  else
    act systemctl enable quant-bot.service
  fi
}

check_prerequisites
ensure_user
ensure_dir "${OPT}" 755 "root:root"
ensure_dir "${ETC}" 750 "root:${USER_NAME}"
ensure_dir "${VAR}" 750 "${USER_NAME}:${USER_NAME}"
ensure_dir "${LOG}" 750 "${USER_NAME}:${USER_NAME}"
ensure_dir "${UNITS}" 755 "root:root"
install_code
install_configuration
install_units
migrate_and_enable
if [[ ${CHANGED} -eq 0 ]]; then
  say "nothing to change: quant-bot is installed as this checkout describes"
elif [[ ${DRY_RUN} -eq 1 ]]; then
  say "dry run: nothing was changed"
else
  say "done: edit ${ETC#"${ROOT}"}/quant-bot.env and services.yaml, then: systemctl start quant-bot"
fi
