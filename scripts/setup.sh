#!/usr/bin/env bash
# Fresh-machine setup (Debian, Python 3.11, root, no display). Idempotent: reruns skip apt.
#   libmtdev1, xclip  - Kivy logs errors without them (touch input probing, clipboard)
#   poppler-utils     - pdftotext/pdftoppm, used by the tests to read generated PDFs back
#   cups, printer-driver-cups-pdf
#                     - the print service (打印 sends PDFs through `lp`/`lpstat`) and a PDF
#                       printer; the printing tests start their own cupsd with a cups-pdf
#                       queue (tests/support/cups.py), so no system CUPS needs to be running
# The GL/EGL libraries Kivy's offscreen SDL driver needs are already on the image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(libmtdev1 xclip poppler-utils cups printer-driver-cups-pdf)
# `dpkg -s` alone succeeds for removed-but-not-purged packages, so check the status word too.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The station app's requirements, the hub's extra (`sanji up` runs hubs) and the test tools.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[hub,dev]'
# pyenv only finds the new `sanji` console script once its shims are regenerated.
if command -v pyenv >/dev/null 2>&1; then
    pyenv rehash
fi
