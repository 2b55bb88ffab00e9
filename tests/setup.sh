#!/usr/bin/env bash
# Installs what the integration tests (tests/it) need on a fresh Debian 12 machine, as root,
# without changing how the machine serves anything:
#   - the server programs (vsftpd, pure-ftpd, ProFTPD, inetutils ftpd, nginx, Apache, caddy,
#     rclone, mini-httpd, lighttpd) are unpacked from their Debian
#     packages under a private prefix (apt-get download + dpkg -x): no package is installed or
#     removed (Debian's FTP servers conflict with each other), no service is enabled or started,
#     no maintainer script runs; only the shared libraries they link are installed with apt;
#   - pyftpdlib, pyOpenSSL and twisted from PyPI go into the prefix too (pip --target);
#   - a local user for vsftpd's user-login tests, with no login shell and a password made here
#     and kept in /var/lib/ftpmirror-test (mode 700: root only; the user is the machine's, so
#     every checkout shares it), and a PAM service that admits only that user.
# The prefix is target/test-servers (FTPMIRROR_TEST_PREFIX overrides it); the tests find the
# servers there. Idempotent: prints what it does, and nothing when everything is there.
# Runs unattended in CI (CI=true, no terminal).
set -euo pipefail

cd "$(dirname "$0")/.."
PREFIX=${FTPMIRROR_TEST_PREFIX:-$PWD/target/test-servers}
TEST_USER=ftpmirror-test
PAM_SERVICE=ftpmirror-test
RUST_NEEDED=1.89

say() { echo "tests/setup.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (apt-get, useradd)" >&2
    exit 1
fi

check_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        say "no cargo: install Rust $RUST_NEEDED or later with rustup (https://rustup.rs);" \
            "Debian's rustc is older" >&2
        exit 1
    fi
    local have
    have=$(rustc --version | cut -d' ' -f2)
    if [ "$(printf '%s\n%s\n' "$RUST_NEEDED" "$have" | sort -V | head -n1)" != "$RUST_NEEDED" ]; then
        say "rustc $have is older than $RUST_NEEDED: run 'rustup update stable'" >&2
        exit 1
    fi
}

apt_updated=no
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    say "installing Debian packages $*"
    if ! apt-get install -y -q --no-install-recommends "$@" >/dev/null; then
        say "apt-get install failed; running apt-get update and retrying"
        apt-get update -q >/dev/null
        apt_updated=yes
        apt-get install -y -q --no-install-recommends "$@" >/dev/null
    fi
}

# Libraries and tools that run nothing by themselves: what the unpacked servers link, openssl
# for test certificates, python3 with pip.
install_libraries() {
    local wanted=(openssl ca-certificates libcap2 libpam0g libpam-modules libpam-runtime libssl3
        libwrap0 libsodium23 libcrypt1 libpcre2-8-0 zlib1g libacl1 libhiredis0.14 libidn2-0
        libmemcached11 libmemcachedutil2 libncursesw6 libpcre2-posix3 libtinfo6 libapr1
        libaprutil1 libnettle8 libxxhash0)
    command -v python3 >/dev/null 2>&1 || wanted+=(python3)
    python3 -m pip --version >/dev/null 2>&1 || wanted+=(python3-pip)
    local missing=()
    for package in "${wanted[@]}"; do
        dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$package")
    done
    # python3 may come from elsewhere (pyenv): then only pip matters.
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# unpack PACKAGE FILE: unpacks PACKAGE under the prefix unless FILE (relative to it) is there.
unpack() {
    [ -e "$PREFIX/root/$2" ] && return 0
    say "unpacking Debian package $1 under $PREFIX/root"
    mkdir -p "$PREFIX/debs" "$PREFIX/root"
    rm -f "$PREFIX/debs/$1"_*.deb
    # apt's download sandbox user cannot write into a root-owned prefix.
    if ! (cd "$PREFIX/debs" && apt-get download -q -o APT::Sandbox::User=root "$1" >/dev/null); then
        [ "$apt_updated" = yes ] || { apt-get update -q >/dev/null; apt_updated=yes; }
        (cd "$PREFIX/debs" && apt-get download -q -o APT::Sandbox::User=root "$1" >/dev/null)
    fi
    dpkg -x "$PREFIX/debs/$1"_*.deb "$PREFIX/root"
}

install_python() {
    local modules='import pyftpdlib, OpenSSL, twisted.protocols.ftp'
    PYTHONPATH="$PREFIX/python" python3 -c "$modules" >/dev/null 2>&1 && return 0
    say "installing pyftpdlib, pyopenssl and twisted from PyPI into $PREFIX/python"
    python3 -m pip install -q --disable-pip-version-check --no-warn-script-location --root-user-action=ignore \
        --upgrade --target "$PREFIX/python" pyftpdlib pyopenssl twisted
}

# The account vsftpd's user-login tests log in as, and its anonymous sessions run as. It cannot
# log in to the machine (no shell), and its password is made here, random, and kept where only
# root reads it. Its home is / because vsftpd changes into it before going to its served root.
create_test_user() {
    local pwdir=/var/lib/ftpmirror-test
    local pwfile=$pwdir/password
    mkdir -p "$pwdir"
    chmod 700 "$pwdir"
    if ! id "$TEST_USER" >/dev/null 2>&1; then
        say "creating local user $TEST_USER (no login shell)"
        useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin "$TEST_USER"
    elif [ "$(getent passwd "$TEST_USER" | cut -d: -f6,7)" != /:/usr/sbin/nologin ]; then
        # An older setup gave it a shell, a home and a password kept in the repository.
        say "taking the login shell and the home away from $TEST_USER"
        usermod --shell /usr/sbin/nologin --home / "$TEST_USER"
        rm -f "$pwfile"
    fi
    if [ ! -s "$pwfile" ]; then
        say "making a random password for $TEST_USER (kept in $pwfile)"
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pwfile")
    fi
    # Always: cheap, and the user may have been made again since the file was.
    echo "$TEST_USER:$(cat "$pwfile")" | chpasswd
    # Debian's vsftpd PAM file ends with pam_shells, which refuses a user without a shell: the
    # tests' vsftpd uses this service instead, which admits nobody but the test user.
    local pam="/etc/pam.d/$PAM_SERVICE"
    local rules="# Written by ftpmirror's tests/setup.sh for the vsftpd its tests start.
auth     required pam_succeed_if.so quiet user = $TEST_USER
auth     required pam_unix.so
account  required pam_succeed_if.so quiet user = $TEST_USER
account  required pam_unix.so
session  required pam_permit.so"
    if [ "$(cat "$pam" 2>/dev/null)" != "$rules" ]; then
        say "writing the PAM service $pam"
        printf '%s\n' "$rules" >"$pam"
    fi
}

check_rust
install_libraries
unpack vsftpd usr/sbin/vsftpd
unpack pure-ftpd usr/sbin/pure-ftpd
unpack proftpd-core usr/sbin/proftpd
unpack inetutils-ftpd usr/sbin/ftpd
unpack nginx usr/sbin/nginx
unpack apache2-bin usr/sbin/apache2
unpack caddy usr/bin/caddy
unpack rclone usr/bin/rclone
unpack mini-httpd usr/sbin/mini_httpd
unpack lighttpd usr/sbin/lighttpd
install_python
create_test_user
