#!/usr/bin/env bash
# Install the browser that the viewer's browser test drives: Debian's
# Chromium and its ChromeDriver (tests/test_visualization/
# test_viewer_browser.py; docs/get_started.md). .ci/run calls it before the
# tests; the test fails, never skips, without them.
#
# Usage: bash tools/install_browser.sh          (installs what is missing)
#        bash tools/install_browser.sh --check  (installs nothing: exit 0
#                                                 when both are there)
set -euo pipefail
have() {
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}
if have; then
    echo "[browser] $(chromium --version 2>/dev/null | head -1), $(chromedriver --version | head -1 | cut -d' ' -f1-2): installed already"
    exit 0
fi
if [ "${1:-}" = --check ]; then
    echo "[browser] chromium or chromedriver is missing: run bash tools/install_browser.sh" >&2
    exit 1
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "[browser] not root and no sudo: install the Debian packages chromium chromium-driver" >&2
        exit 1
    }
    SUDO=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || {
    echo "[browser] no apt-get: install Chromium and a matching ChromeDriver (chromium, chromedriver on PATH)" >&2
    exit 1
}
echo "[browser] apt-get install chromium chromium-driver"
"${SUDO[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q \
    --no-install-recommends chromium chromium-driver
have || { echo "[browser] chromium or chromedriver still missing after apt-get" >&2; exit 1; }
echo "[browser] $(chromium --version 2>/dev/null | head -1): installed"
