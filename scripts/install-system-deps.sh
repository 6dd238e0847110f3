#!/bin/sh
# System programs the test suite needs beside Python: LibreOffice Calc (proves that exported
# workbooks recalculate to flopbook's numbers, and prints them to PDF), Chromium (renders the
# HTML report) and poppler-utils (pdftoppm: a printed page as an image).
# Idempotent: installs only what is missing, with apt-get, and only when run as root; otherwise
# it says what to install and exits 0 (the tests then fail under CI=true, skip elsewhere).
set -eu

missing=""
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 \
  || missing="$missing libreoffice-calc"
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"

if [ -z "$missing" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing:$missing (install them with your package manager," \
       "e.g. sudo apt-get install$missing)" >&2
  exit 0
fi
echo "install-system-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 - the list is meant to split into package names
apt-get install -y -qq --no-install-recommends $missing >/dev/null
