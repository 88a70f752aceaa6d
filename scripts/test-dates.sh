#!/usr/bin/env bash
# The SQLite suite at shifted dates, under libfaketime (Debian package `faketime`): the next
# daylight-saving changes in Europe/Amsterdam (a Sunday night), New Year's Eve at 23:50, a
# Saturday afternoon, a year from now and a Saturday night a year ahead (scripts/moments.py
# counts them from today). A test that passes today and fails at one of these depends on the
# date, not on the code.
#
#   scripts/test-dates.sh             # every moment
#   scripts/test-dates.sh ci          # only the Saturday night a year ahead (what CI runs)
#   scripts/test-dates.sh -- -k rasa  # every moment, with pytest arguments
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# shellcheck source=scripts/debian.sh
source scripts/debian.sh

if ! command -v faketime >/dev/null && ! debian_install faketime faketime; then
  echo "!! test-dates needs faketime (Debian package 'faketime'): apt-get install faketime" >&2
  exit 1
fi

which=all
if [ "${1:-}" = "ci" ]; then which=ci; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi

if [ "$which" = ci ]; then moments=$($PY scripts/moments.py ci); else moments=$($PY scripts/moments.py); fi

failed=()
summary=()
while IFS=$'\t' read -r label at; do
  echo "== tests on SQLite at $label (faketime '$at' UTC)"
  # -m: libfaketime for threaded programs (aiosqlite, asyncio.to_thread); the monotonic clock
  # stays real, so timeouts and event-loop timers behave as always. The clock runs on from
  # the moment given. Playwright's driver (node) and Chromium keep the real clock: they are
  # the customer's browser, and Chromium does not run under libfaketime.
  if TZ=UTC FAKETIME_SKIP_CMDS=node faketime -m --exclude-monotonic "$at" \
       $PY -m pytest -q -p no:cacheprovider "$@"; then
    summary+=("  passed  $label")
  else
    summary+=("  FAILED  $label")
    failed+=("$label")
  fi
done <<< "$moments"

echo "== test-dates:"
printf '%s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ]
