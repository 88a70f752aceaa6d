#!/usr/bin/env bash
# What the tests need from Debian's packages (Chromium, PostgreSQL, faketime): installed when
# missing and we are allowed to (root, with apt-get).

# debian_install PACKAGE LABEL: install PACKAGE. Status 1 when we may not; when apt-get fails,
# the script stops, as a failed command under `set -e` does.
debian_install() {
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null || return 1
  echo "== installing $2 from the Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null ||
    { echo "!! apt-get could not install $1" >&2; exit 1; }
}
