#!/usr/bin/env bash
# Installs what the integration tests (tests/it) need on a fresh Debian 12 machine, as root:
#   - Debian's vsftpd (LIST-only FTP server) and nginx (autoindex, TLS),
#   - pyftpdlib + pyOpenSSL from PyPI (MLSD/TLS-capable FTP server),
#   - a local user for vsftpd's user-login tests.
# Idempotent: prints what it installs, and nothing when everything is already there.
# Runs unattended in CI (CI=true, no terminal); never stops or disables a system service.
set -euo pipefail

TEST_USER=ftpmirror-test
TEST_PASSWORD=ftpmirror-test-pw

say() { echo "tests/setup.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (apt-get, useradd)" >&2
    exit 1
fi

# install_debian BINARY PACKAGE: installs PACKAGE unless /usr/sbin/BINARY (not on every PATH)
# or BINARY on the PATH exists.
install_debian() {
    if command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; then
        return 0
    fi
    say "installing Debian package $2"
    export DEBIAN_FRONTEND=noninteractive
    # The package's postinst may start a server on port 21 or 80; harmless, the tests use their
    # own instances on free loopback ports and never touch that one.
    if ! apt-get install -y -q "$2" >/dev/null; then
        say "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >/dev/null
        apt-get install -y -q "$2" >/dev/null
    fi
}

install_pyftpdlib() {
    python3 -c 'import pyftpdlib, OpenSSL' >/dev/null 2>&1 && return 0
    say "installing pyftpdlib and pyopenssl from PyPI"
    # PEP 668: Debian's own python3 refuses plain `pip install` into the system environment.
    local extra=()
    if python3 -m pip install --help 2>/dev/null | grep -q -- '--break-system-packages'; then
        extra=(--break-system-packages)
    fi
    python3 -m pip install -q --disable-pip-version-check "${extra[@]}" pyftpdlib pyopenssl
}

create_test_user() {
    if ! id "$TEST_USER" >/dev/null 2>&1; then
        say "creating local user $TEST_USER"
        # /bin/bash: Debian's /etc/pam.d/vsftpd ends with pam_shells.so, which rejects users whose
        # shell is not listed in /etc/shells (e.g. /usr/sbin/nologin) with "530 Login incorrect".
        useradd --create-home --home-dir "/home/$TEST_USER" --shell /bin/bash "$TEST_USER"
    elif [ "$(getent passwd "$TEST_USER" | cut -d: -f7)" != /bin/bash ]; then
        say "setting the shell of $TEST_USER to /bin/bash"
        usermod --shell /bin/bash "$TEST_USER"
    fi
    # Always (re)set the password: cheap, and repairs a user left from an older run.
    echo "$TEST_USER:$TEST_PASSWORD" | chpasswd
}

install_debian vsftpd vsftpd
install_debian nginx nginx
install_debian openssl openssl
install_pyftpdlib
create_test_user
