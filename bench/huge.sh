#!/bin/bash
# A dry run over a 10,000,000-file tree that exists nowhere: ftpmirror's peak RSS and CPU time.
#
#   bash bench/huge.sh [--ftpmirror PATH] [--dirs 10000] [--files 1000] [--depth-split 1000]
#                      [-j 8] [--format text|json] [-v]
#
# Builds nothing. Starts bench/genserve.py (nginx autoindex pages of DIRS x FILES files made on
# every request, nothing on disk; --depth-split: see genserve.py) on loopback and runs, into an
# empty target under /tmp, under GNU `time -v`:
#   ftpmirror [-v] mirror --dry-run -j N [--format json] http://127.0.0.1:PORT/ TARGET
# Its stdout goes through a pipe to a reader that keeps only its first and last bytes and counts
# its lines (newlines, as wc -l does); stderr goes to a file. Prints wall, user+sys CPU and peak
# RSS, the server's CPU time during the run and what it served (pages, entries, and entries per
# second from the first page asked to the last sent), and checks that the plan is complete:
#   text: one line per new file and per new directory plus the totals line, which must say
#         `files: DIRS*FILES new, ...`, the total size genserve.py computes (`--sum`) and
#         DIRS + groups directories to make; no file without a size;
#   json: one document (`{` first, `}` last; not parsed whole, it is gigabytes at 10,000,000)
#         whose `totals` are right (`new`, `mkdirs`, exact `bytes`); no `"size": null`.
# Also counts ftpmirror's warnings and its `not understood` lines (there must be none), and
# checks that the target is still empty. Exit status 1 when a check fails.
# Memory: the current ftpmirror holds the whole tree (about half a KiB per file at 1,000,000
# files), so try 100 x 100 and 1000 x 1000 before the default 10,000,000.
# genserve.py is a child of this script, stopped by PID on exit; the work dir is removed.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
FTPMIRROR=${FTPMIRROR:-$BENCH/../target/release/ftpmirror}
DIRS=10000
FILES=1000
SPLIT=1000
CONNS=8
FORMAT=text
VERBOSE=()
while [ $# -gt 0 ]; do
    case $1 in
        --ftpmirror) FTPMIRROR=$2; shift 2 ;;
        --dirs) DIRS=$2; shift 2 ;;
        --files) FILES=$2; shift 2 ;;
        --depth-split) SPLIT=$2; shift 2 ;;
        -j) CONNS=$2; shift 2 ;;
        --format) FORMAT=$2; shift 2 ;;
        -v) VERBOSE=(-v); shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "huge.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x "$FTPMIRROR" ] || { echo "huge.sh: $FTPMIRROR is not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "huge.sh: GNU time missing (/usr/bin/time)" >&2; exit 2; }
case $FORMAT in text|json) ;; *) echo "huge.sh: --format is text or json" >&2; exit 2 ;; esac

WORK=$(mktemp -d /tmp/ftpmirror-huge-XXXXXX)
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the plan must say, from the same hash as the server's.
read -r WANT_FILES WANT_BYTES < <(python3 "$BENCH/genserve.py" --dirs "$DIRS" --files "$FILES" \
    --depth-split "$SPLIT" --sum)
if [ "$SPLIT" -gt 0 ] && [ "$DIRS" -gt "$SPLIT" ]; then
    WANT_DIRS=$((DIRS + (DIRS + SPLIT - 1) / SPLIT))
else
    WANT_DIRS=$DIRS
fi

python3 "$BENCH/genserve.py" --dirs "$DIRS" --files "$FILES" --depth-split "$SPLIT" \
    > "$WORK/server.port" 2> "$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 200); do
    [ -s "$WORK/server.port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "huge.sh: genserve.py did not start: $(cat "$WORK/server.err")" >&2; exit 1; }
    sleep 0.05
done
PORT=$(head -1 "$WORK/server.port")
[ -n "$PORT" ] || { echo "huge.sh: genserve.py printed no port" >&2; exit 1; }

TARGET=$WORK/target
mkdir "$TARGET"
FORMAT_ARGS=()
[ "$FORMAT" = json ] && FORMAT_ARGS=(--format json)

echo "# huge.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r); $DIRS x $FILES files ($WANT_FILES, $WANT_BYTES bytes) from genserve.py, --depth-split $SPLIT, -j $CONNS, --format $FORMAT"
echo "# ftpmirror: $FTPMIRROR ($("$FTPMIRROR" --version), sha256 $(sha256sum "$FTPMIRROR" | cut -c1-12))"
echo "# $FTPMIRROR ${VERBOSE[*]:+${VERBOSE[*]} }mirror --dry-run -j $CONNS ${FORMAT_ARGS[*]:+${FORMAT_ARGS[*]} }http://127.0.0.1:$PORT/ $TARGET"

# Reads the plan from stdin: counts newlines (as wc -l) and bytes, keeps the first 4 KiB and the
# last 64 KiB, and counts files listed without a size (text: `(new)` at the end of a line; json:
# `"size": null`), across chunk boundaries.
READER='
import sys
out, fmt = sys.argv[1], sys.argv[2]
needle = b"(new)\n" if fmt == "text" else b"\"size\": null"
lines = size = unsized = 0
head = b""
tail = b""
carry = b""
read = sys.stdin.buffer.read
while True:
    chunk = read(1 << 20)
    if not chunk:
        break
    lines += chunk.count(b"\n")
    size += len(chunk)
    if len(head) < 4096:
        head += chunk[: 4096 - len(head)]
    both = carry + chunk
    unsized += both.count(needle)
    carry = both[-(len(needle) - 1):]  # shorter than the needle: nothing counted twice
    tail = (tail + chunk)[-65536:]
open(out + ".head", "wb").write(head)
open(out + ".tail", "wb").write(tail)
open(out + ".counts", "w").write("%d %d %d\n" % (lines, size, unsized))
'
TICKS=$(getconf CLK_TCK)
server_cpu() {  # the server's CPU seconds so far (utime + stime)
    awk -v t="$TICKS" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$SERVER_PID/stat"
}
SERVER_CPU0=$(server_cpu)
set +e
/usr/bin/time -v -o "$WORK/time.txt" "$FTPMIRROR" "${VERBOSE[@]}" mirror --dry-run -j "$CONNS" \
    "${FORMAT_ARGS[@]}" "http://127.0.0.1:$PORT/" "$TARGET" 2> "$WORK/stderr.txt" \
    | python3 -c "$READER" "$WORK/out" "$FORMAT"
STATUSES=("${PIPESTATUS[@]}")
set -e
STATUS=${STATUSES[0]}
[ "${STATUSES[1]}" = 0 ] || { echo "huge.sh: the reader of the plan failed (${STATUSES[1]})" >&2; exit 1; }

# The server's CPU time during the run (not its start), then its own account as it stops.
SERVER_CPU=$(awk -v a="$SERVER_CPU0" -v b="$(server_cpu)" 'BEGIN { printf "%.2f", b - a }')
stop_server

wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$WORK/time.txt")
user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
rss_mib=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
wall_s=$(awk -v w="$wall" 'BEGIN { n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }')
read -r LINES BYTES UNSIZED < "$WORK/out.counts"
printf '%-8s %8s %8s %8s %8s %9s %5s %10s %12s\n' run wall_s user_s sys_s cpu_s rss_MiB exit lines out_bytes
printf '%-8s %8s %8s %8s %8s %9s %5s %10s %12s\n' dry-run "$wall_s" "$user" "$sys" "$cpu" "$rss_mib" "$STATUS" "$LINES" "$BYTES"
SERVED=$(tail -1 "$WORK/server.err")
ENTRIES=$(sed -n 's/.*index pages (\([0-9]*\) entries.*/\1/p' <<< "$SERVED")
SPAN=$(sed -n 's/.*served over \([0-9.]*\) s.*/\1/p' <<< "$SERVED")
echo "server: CPU $SERVER_CPU s during the run's $wall_s s; ${ENTRIES:-?} entries listed in ${SPAN:-?} s (first page asked to last sent), $(awk -v e="${ENTRIES:-0}" -v w="${SPAN:-0}" 'BEGIN { printf "%.0f", (w > 0) ? e / w : 0 }') entries/s"
echo "$SERVED"

FAILED=0
check() {  # check OK WHAT
    if [ "$1" = 1 ]; then echo "ok: $2"; else echo "FAILED: $2"; FAILED=1; fi
}
check "$([ "$STATUS" = 0 ] && echo 1)" "ftpmirror's exit status is 0 ($STATUS)"
WARNINGS=$(grep -c '^ftpmirror: warning' "$WORK/stderr.txt" || true)
UNDERSTOOD=$(grep -c 'not understood' "$WORK/stderr.txt" || true)
check "$([ "$UNDERSTOOD" = 0 ] && echo 1)" "no 'not understood' line on stderr ($UNDERSTOOD; $WARNINGS warnings, $(wc -l < "$WORK/stderr.txt") stderr lines)"
if [ "$WARNINGS" != 0 ] || [ "$STATUS" != 0 ]; then
    grep -m 10 '^ftpmirror: \(warning\|error\)' "$WORK/stderr.txt" | sed 's/^/  /' || true
fi
check "$([ -z "$(ls -A "$TARGET")" ] && echo 1)" "the target is still empty"
if [ "$FORMAT" = text ]; then
    TOTALS=$(tail -1 "$WORK/out.tail")
    WANT_HUMAN=$(python3 -c '
import sys
n = int(sys.argv[1]); v = float(n); units = ["bytes", "KiB", "MiB", "GiB", "TiB"]; u = 0
while v >= 1024 and u < 4:
    v /= 1024; u += 1
print("%d bytes" % n if u == 0 else "%.1f %s" % (v, units[u]))' "$WANT_BYTES")
    WANT_TOTALS="files: $WANT_FILES new, 0 changed, 0 unchanged; $WANT_HUMAN to fetch; $WANT_DIRS directories to make, 0 links, 0 deletions, 0 skipped"
    check "$([ "$TOTALS" = "$WANT_TOTALS" ] && echo 1)" "totals line: $TOTALS"
    [ "$TOTALS" = "$WANT_TOTALS" ] || echo "  expected:   $WANT_TOTALS"
    WANT_LINES=$((WANT_FILES + WANT_DIRS + 1))
    check "$([ "$LINES" = "$WANT_LINES" ] && echo 1)" "$LINES lines = $WANT_FILES files + $WANT_DIRS directories + the totals line ($WANT_LINES)"
    check "$([ "$UNSIZED" = 0 ] && echo 1)" "every file listed with its size ($UNSIZED without)"
else
    JSON_OK=$(python3 - "$WORK/out" "$WANT_FILES" "$WANT_BYTES" "$WANT_DIRS" <<'EOF'
import json, sys
out, files, size, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
head = open(out + ".head", "rb").read()
tail = open(out + ".tail", "rb").read()
problems = []
if not head.lstrip().startswith(b"{"):
    problems.append("does not start with {")
if not tail.rstrip().endswith(b"}"):
    problems.append("does not end with }")
at = tail.rfind(b'"totals":')
totals = {}
if at < 0:
    problems.append("no totals in the last 64 KiB")
else:
    try:
        totals = json.loads(b"{" + tail[at:])["totals"]
    except ValueError as e:
        problems.append("totals unreadable: %s" % e)
want = {"new": files, "changed": 0, "unchanged": 0, "bytes": size, "mkdirs": dirs, "links": 0,
        "deletes": 0, "skipped": 0}
for key, value in want.items():
    if totals and totals.get(key) != value:
        problems.append("totals.%s = %s, expected %s" % (key, totals.get(key), value))
print("1" if not problems else "0")
print("totals %s" % json.dumps(totals) if totals else "no totals")
for p in problems:
    print("  " + p)
EOF
)
    check "$(head -1 <<< "$JSON_OK")" "one JSON document ({ first, } last), $(sed -n 2p <<< "$JSON_OK")"
    tail -n +3 <<< "$JSON_OK"
    check "$([ "$UNSIZED" = 0 ] && echo 1)" "every file listed with its size ($UNSIZED \"size\": null)"
fi
exit $FAILED
