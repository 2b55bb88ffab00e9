#!/usr/bin/env bash
# Installs the benchmark peers and servers on Debian 12, as root, when missing:
#   lftp, rclone, wget, vsftpd, nginx (Debian packages) and pyftpdlib (PyPI).
# Idempotent and quiet when everything is already there.
set -euo pipefail

say() { echo "bench/install.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (apt-get)" >&2
    exit 1
fi

missing=()
for pkg in lftp rclone wget vsftpd nginx; do
    bin=$pkg
    # /usr/sbin is not on every PATH, so look for vsftpd there explicitly.
    if command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || [ -x "/usr/bin/$bin" ]; then
        continue
    fi
    missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # vsftpd's and nginx's postinst may start a server on port 21 or 80; harmless, the bench
    # starts its own instances on free loopback ports and never touches those.
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        say "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

if ! python3 -c 'import pyftpdlib' >/dev/null 2>&1; then
    say "installing pyftpdlib from PyPI"
    # PEP 668: Debian's own python3 refuses plain `pip install` into the system environment.
    extra=()
    if python3 -m pip install --help 2>/dev/null | grep -q -- '--break-system-packages'; then
        extra=(--break-system-packages)
    fi
    python3 -m pip install -q --disable-pip-version-check "${extra[@]}" pyftpdlib
fi
