#!/bin/bash
# First runs from the root of an Apache server that holds files only, at a distance.
#
#   bash bench/apache_root.sh [--ftpmirror PATH]... [--peers] [--files 400] [--rtt-ms 50]
#                             [--repeat 3] [-j 1]
#
# A server's root page has no parent link, and a root of files alone shows no link that marks a
# directory: a client that does not trust Apache to end every directory's link in `/` asks each
# file with HEAD first. Apache also ends each kept connection after 100 requests
# (MaxKeepAliveRequests), with pipelined requests still unanswered. Serves FILES small files
# (1,000 to 1,399 bytes, random) with Apache (Debian's apache2-bin from tests/setup.sh, `-X`: one
# process, so use -j 1: a second connection waits for the first to end) through
# bench/latency_proxy.py, and mirrors them REPEAT times with each binary given (in turn, a fresh
# target each time), and with --peers `wget -m` and `rclone copy` (rclone from the same prefix,
# --transfers and --checkers set to -j) too: wall time, exit status, whether the target equals
# the tree (wget's index.html pages aside), and the requests by method from Apache's access log. Apache and the proxy are children, stopped by PID
# on exit; the work directory is removed.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
BINS=()
FILES=400
RTT=50
REPEAT=3
CONNS=1
PEERS=""
while [ $# -gt 0 ]; do
    case $1 in
        --ftpmirror) BINS+=("$2"); shift 2 ;;
        --peers) PEERS=1; shift ;;
        --files) FILES=$2; shift 2 ;;
        --rtt-ms) RTT=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        -j) CONNS=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "apache_root.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ ${#BINS[@]} -gt 0 ] || BINS=("$BENCH/../target/release/ftpmirror")
for bin in "${BINS[@]}"; do
    [ -x "$bin" ] || { echo "apache_root.sh: $bin is not an executable" >&2; exit 2; }
done
ROOT=${FTPMIRROR_TEST_PREFIX:-$BENCH/../target/test-servers}/root
APACHE=$ROOT/usr/sbin/apache2
MODULES=$ROOT/usr/lib/apache2/modules
[ -x "$APACHE" ] || { echo "apache_root.sh: $APACHE missing (bash tests/setup.sh)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/ftpmirror-apache-root-XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRC=$WORK/www
mkdir -p "$SRC" "$WORK/run"
chmod 755 "$SRC"
for i in $(seq 0 $((FILES - 1))); do
    head -c $((1000 + i % 400)) /dev/urandom > "$SRC/$(printf 'f%04d' "$i")"
done
chmod 644 "$SRC"/*
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "text/plain txt" > "$WORK/mime.types"
{
    echo "ServerRoot $WORK"
    echo "ServerName 127.0.0.1"
    echo "Listen 127.0.0.1:$PORT"
    echo "PidFile $WORK/run/pid"
    echo "Mutex file:$WORK/run default"
    echo "DefaultRuntimeDir $WORK/run"
    echo "ErrorLog $WORK/error.log"
    echo "User nobody"
    echo "Group nogroup"
    for m in mpm_prefork authz_core mime dir autoindex; do
        echo "LoadModule ${m}_module $MODULES/mod_$m.so"
    done
    echo "TypesConfig $WORK/mime.types"
    echo 'LogFormat "%m %U %>s %k" bench'
    echo "CustomLog $WORK/access.log bench"
    echo "DocumentRoot $SRC"
    echo "<Directory $SRC>"
    echo "  Options Indexes"
    echo "  Require all granted"
    echo "</Directory>"
    echo "IndexOptions FancyIndexing HTMLTable VersionSort NameWidth=* Charset=UTF-8"
} > "$WORK/httpd.conf"
"$APACHE" -X -f "$WORK/httpd.conf" < /dev/null > "$WORK/apache.out" 2>&1 &
PIDS+=($!)
python3 "$BENCH/latency_proxy.py" --upstream "127.0.0.1:$PORT" --rtt-ms "$RTT" --mode plain \
    < /dev/null > "$WORK/proxy.out" 2> "$WORK/proxy.err" &
PIDS+=($!)
for _ in $(seq 100); do
    [ -s "$WORK/proxy.out" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.05
done
PROXY=$(head -1 "$WORK/proxy.out")

echo "# apache_root.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $FILES files at the root of $("$APACHE" -v | sed -n 's/Server version: //p') -X, $RTT ms RTT, -j $CONNS"
printf '%-40s %3s %8s %5s %5s  %s\n' tool run wall_s exit same "requests (Apache's log)"
URL=http://127.0.0.1:$PROXY/
TOOLS=("${BINS[@]}")
[ -z "$PEERS" ] || TOOLS+=(wget rclone)
for rep in $(seq "$REPEAT"); do
    for tool in "${TOOLS[@]}"; do
        rm -rf "$WORK/dst"
        offset=$(stat -c %s "$WORK/access.log" 2>/dev/null || echo 0)
        case $tool in
            wget) cmd=(wget -q -m -np -nH -e robots=off -P "$WORK/dst" "$URL") ;;
            rclone) cmd=("$ROOT/usr/bin/rclone" --config /dev/null copy --http-url "$URL" :http: "$WORK/dst"
                         --transfers "$CONNS" --checkers "$CONNS") ;;
            *) cmd=("$tool" mirror "$URL" "$WORK/dst" -j "$CONNS" -q) ;;
        esac
        status=0
        start=$(date +%s.%N)
        "${cmd[@]}" > "$WORK/out.txt" 2>&1 || status=$?
        end=$(date +%s.%N)
        same=yes
        diff -r -x .ftpmirror -x 'index.html*' "$SRC" "$WORK/dst" > /dev/null 2>&1 || same=no
        requests=$(tail -c +$((offset + 1)) "$WORK/access.log" | awk '
            { n[$1]++; if ($4 == 0) conns++ }
            END { for (k in n) printf "%s %d, ", k, n[k]; printf "connections %d", conns }')
        printf '%-40s %3s %8.2f %5s %5s  %s\n' "$tool" "$rep" "$(echo "$end - $start" | bc)" "$status" "$same" "$requests"
    done
done
