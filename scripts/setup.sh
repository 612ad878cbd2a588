#!/usr/bin/env bash
# Fresh-machine setup (Debian, Python 3.11, root, no display). Idempotent: reruns skip apt.
#   libmtdev1, xclip  - Kivy logs errors without them (touch input probing, clipboard)
#   poppler-utils     - pdftotext/pdftoppm, used by the tests to read generated PDFs back
#   cups, printer-driver-cups-pdf
#                     - the print service (打印 sends PDFs through `lp`/`lpstat`) and a PDF
#                       printer; the printing tests start their own cupsd with a cups-pdf
#                       queue (tests/support/cups.py), so no system CUPS needs to be running
#   gcc, libssl-dev   - sqlcipher3 (the encrypted databases) compiles its SQLCipher source
#                       against OpenSSL's libcrypto
#   libzbar0          - pyzbar reads enrollment QR codes from photos (the tablet gets it
#                       from python-for-android's libzbar recipe)
#   xvfb, xdotool     - a real X window for the app, driven by clicks from outside
#                       (tests/ui/test_real_window.py; xclip puts Chinese words in with Ctrl+V)
# The GL/EGL libraries Kivy's offscreen SDL driver needs are already on the image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(libmtdev1 xclip poppler-utils cups printer-driver-cups-pdf gcc libssl-dev xvfb
              xdotool libzbar0)
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

# sqlcipher3 first, from its source distribution and without build isolation: its build
# requirements name conan, which would fetch a desktop OpenSSL of its own; without conan
# its setup.py compiles the bundled SQLCipher against the system's libcrypto, as the
# tablet's recipe does against p4a's (android/recipes/sqlcipher3). Skipped when present.
SQLCIPHER3=$(sed -n 's/^ *"\(sqlcipher3==[^"]*\)",*$/\1/p' pyproject.toml)
if ! python3 -m pip show -q sqlcipher3 2>/dev/null || \
        [[ "$(python3 -m pip show sqlcipher3 2>/dev/null | sed -n 's/^Version: //p')" != "${SQLCIPHER3#*==}" ]]; then
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
        --no-build-isolation --no-binary sqlcipher3 "$SQLCIPHER3"
fi
# The station app's requirements, the hub's extra (`sanji up` runs hubs) and the test tools.
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[hub,dev]'
# pyenv only finds the new `sanji` console script once its shims are regenerated.
if command -v pyenv >/dev/null 2>&1; then
    pyenv rehash
fi
