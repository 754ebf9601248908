#!/usr/bin/env bash
# System libraries Qt needs on a bare Debian/Ubuntu machine (offscreen or on a desktop), and
# CJK fonts so that Chinese text renders; poppler-utils (pdftoppm, pdftotext) for the tests that
# render printed PDFs. Safe to run repeatedly; does nothing elsewhere.
set -euo pipefail
PKGS="fonts-noto-cjk poppler-utils libegl1 libgl1 libopengl0 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: no apt-get here; install Qt's runtime libraries and a CJK font yourself" >&2
  exit 0
fi
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
echo "install-system-deps: installing$missing" >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
