#!/usr/bin/env bash
# Installs the benchmark peers and servers on Debian 12, as root, when missing: the servers
# (vsftpd, nginx, pyftpdlib) as the tests have them, unpacked under target/test-servers by
# tests/setup.sh (no service installed or started), and the peer clients lftp, rclone and wget
# (Debian packages that run nothing by themselves). Idempotent and quiet when all is there.
set -euo pipefail

say() { echo "bench/install.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (apt-get)" >&2
    exit 1
fi

missing=()
bash "$(dirname "$0")/../tests/setup.sh"

for pkg in lftp rclone wget; do
    bin=$pkg
    if command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/bin/$bin" ]; then
        continue
    fi
    missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        say "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

