#!/bin/bash
# One large file on loopback: ftpmirror's throughput against curl's, from the same server.
#
#   bash bench/throughput.sh [--ftpmirror PATH] [--size-mib 1024] [--repeat 3] [-j N]
#
# Writes SIZE MiB of random bytes once (dd from /dev/urandom: real bytes, not a sparse file) as
# the only file of a directory under /tmp, serves that directory with vsftpd (FTP; it forks per
# session, where pyftpdlib, in Python, would be the bottleneck) and nginx (HTTP, autoindex), and
# for each server, REPEAT times in turn:
#   curl -o /dev/null URL/big                     (the reference: one stream, nothing written)
#   curl -o /tmp/.../dst/big URL/big              (the same, writing the file: what a write costs)
#   ftpmirror mirror URL/ /tmp/.../dst -j N       (into an empty target under /tmp, every time)
# Prints each run's wall time, MB/s, user+sys CPU and peak RSS (GNU time), then the medians and
# ftpmirror's median throughput over curl's. The source file is read once first so that both
# tools are served from the page cache. Servers are children of this script, stopped by PID on
# exit (nginx runs with `daemon off; master_process off;`); everything under the work dir,
# the big file included, is removed on exit.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
FTPMIRROR=${FTPMIRROR:-$BENCH/../target/release/ftpmirror}
SIZE_MIB=1024
REPEAT=3
CONNS=""
while [ $# -gt 0 ]; do
    case $1 in
        --ftpmirror) FTPMIRROR=$2; shift 2 ;;
        --size-mib) SIZE_MIB=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        -j) CONNS=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "throughput.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x "$FTPMIRROR" ] || { echo "throughput.sh: $FTPMIRROR is not an executable" >&2; exit 2; }
SERVERS=${FTPMIRROR_TEST_PREFIX:-$(cd "$(dirname "$0")/.." && pwd)/target/test-servers}/root/usr/sbin
NGINX=$SERVERS/nginx
VSFTPD=$SERVERS/vsftpd
for tool in curl $VSFTPD $NGINX /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "throughput.sh: $tool missing (bench/install.sh)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/ftpmirror-throughput-XXXXXX)
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

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {  # wait_port PORT PID: until something accepts on PORT, or PID died
    for _ in $(seq 200); do
        kill -0 "$2" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    return 1
}

SRC=$WORK/src   # served: holds only `big`; root-owned, not writable by vsftpd's ftp user
mkdir -p "$SRC" "$WORK/logs" "$WORK/empty"
chmod 755 "$SRC" "$WORK/empty"
echo "throughput.sh: writing $SIZE_MIB MiB of random bytes to $SRC/big" >&2
dd if=/dev/urandom of="$SRC/big" bs=1M count="$SIZE_MIB" status=none
chmod 644 "$SRC/big"
BYTES=$(stat -c %s "$SRC/big")
cat "$SRC/big" > /dev/null  # into the page cache

# vsftpd: the settings it can't run without when started by hand (tests/it/support/vsftpd.rs).
FTP_PORT=$(free_port)
PASV_LO=$((20000 + RANDOM % 10000))
cat > "$WORK/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$FTP_PORT
background=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=$WORK/empty
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$PASV_LO
pasv_max_port=$((PASV_LO + 99))
anonymous_enable=YES
anon_root=$SRC
ftp_username=ftpmirror-test
no_anon_password=YES
local_enable=NO
write_enable=NO
use_localtime=NO
max_clients=0
max_per_ip=0
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$WORK/logs/vsftpd.log
EOF
"$VSFTPD" "$WORK/vsftpd.conf" < /dev/null > "$WORK/logs/vsftpd.oops" 2>&1 &
PIDS+=($!)
wait_port "$FTP_PORT" "$!" || { echo "vsftpd did not start: $(cat "$WORK/logs/vsftpd.oops")" >&2; exit 1; }

# nginx: as run.py starts it; the process started is the one serving.
HTTP_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $WORK/nginx/access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        root $SRC;
        autoindex on;
        autoindex_exact_size on;
    }
}
EOF
"$NGINX" -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" < /dev/null > "$WORK/logs/nginx.out" 2>&1 &
PIDS+=($!)
wait_port "$HTTP_PORT" "$!" || { echo "nginx did not start: $(cat "$WORK/logs/nginx.out" "$WORK/nginx/error.log" 2>/dev/null)" >&2; exit 1; }

echo "# throughput.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
echo "# file: $BYTES bytes of random data; ftpmirror: $FTPMIRROR ($("$FTPMIRROR" --version), sha256 $(sha256sum "$FTPMIRROR" | cut -c1-12))"
echo "# $(curl --version | head -1 | cut -d' ' -f1-2); vsftpd $("$VSFTPD" -v 0>&1 2>&1 | sed 's/.*version //'); $("$NGINX" -v 2>&1 | sed 's/nginx version: //')"
printf '%-6s %-9s %3s %8s %9s %8s %9s %5s\n' server tool rep seconds MB/s cpu_s rss_MiB exit

# one RUN: prints "secs" to stdout; GNU time's "user sys maxrss_kib" go to $WORK/time
timed() {
    local start end status=0
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$@" > "$WORK/logs/out" 2>&1 || status=$?
    end=$(date +%s%N)
    LAST_SECS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    LAST_STATUS=$status
}

declare -A RESULTS
for server in vsftpd nginx; do
    if [ $server = vsftpd ]; then URL=ftp://127.0.0.1:$FTP_PORT; else URL=http://127.0.0.1:$HTTP_PORT; fi
    for rep in $(seq "$REPEAT"); do
        for tool in curl curl-file ftpmirror; do
            DST=$WORK/dst
            rm -rf "$DST"
            if [ $tool = curl ]; then
                timed curl -sS --fail -o /dev/null "$URL/big"
            elif [ $tool = curl-file ]; then
                mkdir -p "$DST"
                timed curl -sS --fail -o "$DST/big" "$URL/big"
            else
                timed "$FTPMIRROR" mirror "$URL/" "$DST" ${CONNS:+-j "$CONNS"} --delete -q
                if [ "$LAST_STATUS" = 0 ] && ! cmp -s "$SRC/big" "$DST/big"; then
                    LAST_STATUS="wrong-bytes"
                fi
            fi
            read -r user sys rss < "$WORK/time"
            mbs=$(awk -v b="$BYTES" -v s="$LAST_SECS" 'BEGIN { printf "%.0f", b / s / 1e6 }')
            cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
            printf '%-6s %-9s %3s %8s %9s %8s %9s %5s\n' $server $tool "$rep" "$LAST_SECS" "$mbs" \
                "$cpu" "$((rss / 1024))" "$LAST_STATUS"
            [ "$LAST_STATUS" = 0 ] || tail -3 "$WORK/logs/out" >&2
            RESULTS[$server.$tool]+="$mbs "
            rm -rf "$DST"
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
for server in vsftpd nginx; do
    c=$(echo "${RESULTS[$server.curl]}" | median)
    w=$(echo "${RESULTS[$server.curl-file]}" | median)
    f=$(echo "${RESULTS[$server.ftpmirror]}" | median)
    awk -v s=$server -v c="$c" -v w="$w" -v f="$f" 'BEGIN { printf "%s: median MB/s: curl -o /dev/null %d, curl -o file %d, ftpmirror %d; ftpmirror / curl -o /dev/null = %.2f, / curl -o file = %.2f\n", s, c, w, f, f / c, f / w }'
done
