#!/bin/sh
# The browser of the end-to-end tests: Debian's chromium at /usr/bin/chromium
# (MCMS_E2E_CHROMIUM to use another). Browser downloads are impossible here, so
# never `npx playwright install`: install the distribution's package if missing.
set -eu

browser=${MCMS_E2E_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$browser" ]; then
    if [ "$browser" != /usr/bin/chromium ]; then
        echo "ensure-browser: $browser is not an executable" >&2
        exit 1
    fi
    echo "chromium is missing; installing it with apt-get"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "ensure-browser: need root or sudo to apt-get install chromium" >&2; exit 1; }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    # A stale package list is no reason to stop: try the install anyway.
    $sudo apt-get update -q || echo "ensure-browser: apt-get update failed; trying the install anyway" >&2
    $sudo apt-get install -y -q chromium
fi

"$browser" --version 2>/dev/null
