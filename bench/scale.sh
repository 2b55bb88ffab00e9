#!/bin/bash
# A no-change run over a 100,000-entry tree: ftpmirror's peak RSS and CPU time.
#
#   bash bench/scale.sh [--ftpmirror PATH] [--dirs 100] [--files 1000] [--repeat 3] [-j 8] [--keep]
#
# Generates DIRS directories of FILES small files each (0 to 2,047 bytes, fixed mtimes with odd
# seconds, deterministic) under /tmp, serves them with nginx (autoindex, exact sizes) on
# loopback, makes the target a `cp -a` copy (same sizes and mtimes), runs ftpmirror once (no state
# yet: it compares the index with the local files, fetches nothing and writes its state), then
# times the no-change run REPEAT times with GNU `time -v`: wall, user+sys CPU, peak RSS. Every
# run's requests are counted from nginx's access log (a no-change run should GET the index pages
# and HEAD one file, nothing per file). Prints each run and the worst of the no-change runs.
# nginx runs with `daemon off; master_process off;` as a child, stopped by PID on exit; the tree
# (about 400 MB on disk) and the target are removed on exit (--keep: left in place, for a closer
# look; the script prints where).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
FTPMIRROR=${FTPMIRROR:-$BENCH/../target/release/ftpmirror}
DIRS=100
FILES=1000
REPEAT=3
CONNS=8
KEEP=""
while [ $# -gt 0 ]; do
    case $1 in
        --ftpmirror) FTPMIRROR=$2; shift 2 ;;
        --dirs) DIRS=$2; shift 2 ;;
        --files) FILES=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        -j) CONNS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "scale.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x "$FTPMIRROR" ] || { echo "scale.sh: $FTPMIRROR is not an executable" >&2; exit 2; }
SERVERS=${FTPMIRROR_TEST_PREFIX:-$(cd "$(dirname "$0")/.." && pwd)/target/test-servers}/root/usr/sbin
NGINX=$SERVERS/nginx
for tool in $NGINX /usr/bin/time; do
    [ -x $tool ] || { echo "scale.sh: $tool missing (bench/install.sh)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/ftpmirror-scale-XXXXXX)
chmod 755 "$WORK"
NGINX_PID=""
cleanup() {
    if [ -n "$NGINX_PID" ]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    if [ -n "$KEEP" ]; then
        echo "scale.sh: kept $WORK (src = the served tree, dst = the target)" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRC=$WORK/src
DST=$WORK/dst
echo "scale.sh: generating $DIRS x $FILES files in $SRC" >&2
python3 - "$SRC" "$DIRS" "$FILES" <<'EOF'
import os, sys
root, dirs, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = 1_700_000_001  # odd seconds, 2023: the index shows the year-old date to the minute
os.makedirs(root)
os.chmod(root, 0o755)
for d in range(dirs):
    dpath = os.path.join(root, f"d{d:03d}")
    os.mkdir(dpath)
    for f in range(files):
        n = d * files + f
        path = os.path.join(dpath, f"file-{f:04d}.dat")
        with open(path, "wb") as out:
            out.write((b"%08d\n" % n) * ((n * 7919) % 2048 // 9) + b"x" * ((n * 7919) % 2048 % 9))
        t = base + 2 * ((n * 104729) % 10_000_000)
        os.utime(path, (t, t))
EOF
cp -a "$SRC" "$DST"
echo "scale.sh: $(find "$SRC" -type f | wc -l) files, $(du -sh "$SRC" | cut -f1) on disk" >&2

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    log_format bench '\$connection \$request_method \$request_uri \$status';
    access_log $WORK/nginx/access.log bench;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        root $SRC;
        autoindex on;
        autoindex_exact_size on;
    }
}
EOF
"$NGINX" -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" < /dev/null > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    kill -0 $NGINX_PID 2>/dev/null || { echo "nginx did not start: $(cat "$WORK/nginx.out")" >&2; exit 1; }
    sleep 0.05
done

echo "# scale.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r); $DIRS x $FILES files over nginx $("$NGINX" -v 2>&1 | sed 's/nginx version: //'), -j $CONNS"
echo "# ftpmirror: $FTPMIRROR ($("$FTPMIRROR" --version), sha256 $(sha256sum "$FTPMIRROR" | cut -c1-12))"
printf '%-10s %8s %8s %8s %8s %9s %5s  %s\n' run wall_s user_s sys_s cpu_s rss_MiB exit "requests (nginx log); ftpmirror's summary"

WORST_RSS=0
WORST_CPU=0
one_run() {  # one_run LABEL
    local offset status=0
    offset=$(stat -c %s "$WORK/nginx/access.log" 2>/dev/null || echo 0)
    /usr/bin/time -v -o "$WORK/time.txt" "$FTPMIRROR" mirror "http://127.0.0.1:$PORT/" "$DST" \
        -j "$CONNS" --delete --summary-json "$WORK/summary.json" > "$WORK/out.txt" 2>&1 || status=$?
    sleep 0.2
    local requests summary
    summary=$(grep -o '"\(fetched\|made\|deleted\|unchanged\)": [0-9]*' "$WORK/summary.json" | tr -d '"' | tr '\n' ' ')
    requests=$(tail -c +$((offset + 1)) "$WORK/nginx/access.log" | awk '
        { kind = ($3 ~ /\/$/) ? "index" : "file"; n[$2 " " kind " " $4]++ }
        END { for (k in n) printf "%s %d, ", k, n[k] }' | sed 's/, $//')
    local wall user sys rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$WORK/time.txt")
    user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
    sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    local cpu rss_mib
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    rss_mib=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
    printf '%-10s %8s %8s %8s %8s %9s %5s  %s\n' "$1" "$wall" "$user" "$sys" "$cpu" "$rss_mib" \
        "$status" "$requests; $summary"
    [ "$status" = 0 ] || tail -5 "$WORK/out.txt" >&2
    if [ "$1" != state ]; then
        WORST_RSS=$(awk -v a="$WORST_RSS" -v b="$rss_mib" 'BEGIN { print (b > a) ? b : a }')
        WORST_CPU=$(awk -v a="$WORST_CPU" -v b="$cpu" 'BEGIN { print (b > a) ? b : a }')
    fi
}

one_run state
for rep in $(seq "$REPEAT"); do
    one_run "no-change"
done
echo "worst no-change run of $REPEAT: peak RSS $WORST_RSS MiB, CPU $WORST_CPU s (user+sys)"
if [ "$(find "$DST" -path "$DST/.ftpmirror" -prune -o -type f -cnewer "$WORK/nginx/nginx.conf" -print | head -1)" ]; then
    echo "note: files in the target were changed during the runs (ctime after the copy)" >&2
fi
