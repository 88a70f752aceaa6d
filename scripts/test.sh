#!/usr/bin/env bash
# The whole test suite: once on SQLite, then again on a throwaway PostgreSQL cluster started from
# the machine's Debian packages (installed when missing and when we are allowed to: CI, or root).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# shellcheck source=scripts/debian.sh
source scripts/debian.sh

# The web chat's browser test drives Chromium from the Debian packages with Playwright (never
# `playwright install`): installed when missing and we are allowed to (root). In CI the test
# runs and fails without it; elsewhere it is skipped with the reason.
if [ ! -x /usr/bin/chromium ]; then
  debian_install chromium Chromium || true
fi

echo "== tests on SQLite"
$PY -m pytest -q -p no:cacheprovider "$@"

if [ "${SKEWER_SKIP_POSTGRES:-}" = "1" ]; then
  echo "== PostgreSQL run skipped (SKEWER_SKIP_POSTGRES=1)"
  exit 0
fi
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
if pg_start; then
  trap pg_stop EXIT
  echo "== tests on PostgreSQL ($SKEWER_TEST_POSTGRES_URL)"
  SKEWER_TEST_DATABASE=postgres $PY -m pytest -q -p no:cacheprovider "$@"
else
  echo "!! PostgreSQL could not be started here; the PostgreSQL run is skipped" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi
