#!/usr/bin/env bash
# What the test run must leave as it found it, so that tests/run.sh can say it did:
#   tests/machine.sh snapshot FILE   the installed packages and the enabled and running services
#   tests/machine.sh check FILE      fails, naming them, if a package of FILE is gone, a service
#                                    was enabled or stopped since, or a server from the test prefix
#                                    (target/test-servers) or a test script still listens
# Services are read from systemd when it runs (not in most containers) and from /etc/rc?.d.
set -euo pipefail

cd "$(dirname "$0")/.."
PREFIX=${FTPMIRROR_TEST_PREFIX:-$PWD/target/test-servers}

say() { echo "tests/machine.sh: $*"; }

packages() {
    dpkg-query -W -f '${db:Status-Status} ${Package}\n' 2>/dev/null |
        awk '$1 == "installed" { print "package " $2 }'
}

services() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl list-unit-files --type=service --state=enabled --no-legend 2>/dev/null |
            awk '{ print "enabled " $1 }'
        systemctl list-units --type=service --state=running --no-legend 2>/dev/null |
            awk '{ print "running " $1 }'
    fi
    local link
    for link in /etc/rc[2-5].d/S*; do
        [ -e "$link" ] && echo "enabled rc:${link##*/S[0-9][0-9]}"
    done
    true
}

snapshot() {
    { packages; services; } | sort -u
}

# Listening sockets whose process runs a program from the test prefix or a test script.
stray_servers() {
    local pid exe args
    for pid in $(ss -ltnpH 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
        args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
        case "$exe $args" in
        "$PREFIX"/* | *tests/it/servers/*) echo "pid $pid: $args" ;;
        esac
    done
}

case "${1:-}" in
snapshot)
    snapshot >"$2"
    ;;
check)
    now=$(mktemp)
    trap 'rm -f "$now"' EXIT
    snapshot >"$now"
    failed=no
    gone=$(comm -23 <(grep -E '^(package|running) ' "$2") <(grep -E '^(package|running) ' "$now"))
    new=$(comm -13 <(grep '^enabled ' "$2") <(grep '^enabled ' "$now"))
    strays=$(stray_servers)
    if [ -n "$gone" ]; then
        say "the tests removed packages or stopped services:" >&2
        echo "$gone" >&2
        failed=yes
    fi
    if [ -n "$new" ]; then
        say "the tests left services enabled:" >&2
        echo "$new" >&2
        failed=yes
    fi
    if [ -n "$strays" ]; then
        say "test servers still listening:" >&2
        echo "$strays" >&2
        failed=yes
    fi
    [ "$failed" = no ] || exit 1
    say "no package removed, no service enabled or stopped, no test server left listening"
    ;;
*)
    echo "usage: tests/machine.sh snapshot FILE | check FILE" >&2
    exit 2
    ;;
esac
