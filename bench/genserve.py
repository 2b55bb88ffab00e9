#!/usr/bin/env python3
"""An HTTP server of nginx autoindex pages for a synthetic tree that exists nowhere, for bench/.

    genserve.py --dirs D --files F [--depth-split N] [--port 0]
    genserve.py --dirs D --files F --sum        (prints FILES BYTES: what a mirror would fetch)

Serves D directories of F files each, generated on every request from the request's path:
nothing is written to disk and nothing large is kept in memory, so the tree can have 10,000,000
files. Layout (N = --depth-split, default 1,000, the most directories one page lists):

    D <= N:  /d0000000/f000000.dat ...                    (the root lists D directories)
    D >  N:  /g0000/d0000000/f000000.dat ...              (directory i is in group i // N;
                                                           the root lists ceil(D / N) groups)

so with F <= ~1,000 no page lists more than ~1,000 entries (D > N * N makes the root longer, and
is refused above 100 * N * N). Names are fixed-width (wider only when the counts need more
digits), hence already in nginx's order, and need no escaping. Each file's size (0 to 2,047
bytes) and mtime (odd seconds, within 2023-11-14 UTC) come from the CRC-32 of its path; every
directory's mtime is 2023-11-14 00:00:00 UTC. A file's content is its CRC as `%08x\\n`, repeated
and cut to its size.

Index pages are byte for byte what nginx 1.22 emits with `autoindex on; autoindex_exact_size on;`
(tests/fixtures/index/nginx-exact.html): the `../` link, directories (size `-`) then files, each
`<a href="NAME">NAME</a>`, padded to 50 characters plus one space, `dd-Mon-yyyy hh:mm` (UTC), a
space, the size right-aligned in 19 columns, CRLF. A directory asked without its final `/` is
redirected (301) as nginx does; anything else not in the tree is 404. GET and HEAD; every answer
has Content-Length and Last-Modified (files and directories); HTTP/1.1 keep-alive, one thread
per connection (ThreadingHTTPServer); no Range support (a Range request gets the whole file).

Listens on 127.0.0.1 (--port 0: a free port) and prints the port, alone on the first stdout line,
once it accepts connections. On SIGTERM or SIGINT it stops, prints what it served on stderr
(index pages, entries, bytes, requests by kind, the wall time spent generating pages and the
process's CPU time) and exits 0. Python 3 standard library only.
"""

import argparse
import email.utils
import http.server
import re
import signal
import socketserver
import sys
import threading
import time
import urllib.parse
import zlib

DIR_MTIME = 1_699_920_000  # 2023-11-14 00:00:00 UTC
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NAME_COLUMN = 50  # nginx's NGX_HTTP_AUTOINDEX_NAME_LEN

# The file mtimes: one of the 1,440 minutes of the day (bits 11-21 of the path's CRC), at an odd
# second (bits 22-26); the page shows the minute, Last-Modified the second.
MINUTES = 1440


def listed_time(t):
    """`14-Nov-2023 00:00`, nginx's date column (UTC; no locale involved)."""
    tm = time.gmtime(t)
    return "%02d-%s-%d %02d:%02d" % (tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year, tm.tm_hour, tm.tm_min)


DATE_OF_MINUTE = [listed_time(DIR_MTIME + 60 * m) for m in range(MINUTES)]
DIR_DATE = listed_time(DIR_MTIME)
DIR_LAST_MODIFIED = email.utils.formatdate(DIR_MTIME, usegmt=True)


def file_mtime(crc):
    return DIR_MTIME + 60 * ((crc >> 11) % MINUTES) + 2 * ((crc >> 22) % 30) + 1


class Tree:
    """The synthetic tree: names, and what a path is."""

    def __init__(self, dirs, files, split):
        self.dirs, self.files, self.split = dirs, files, split
        self.grouped = split > 0 and dirs > split
        self.groups = -(-dirs // split) if self.grouped else 0
        self.gwidth = max(4, len(str(max(self.groups - 1, 0))))
        self.dwidth = max(7, len(str(dirs - 1)))
        self.fwidth = max(6, len(str(files - 1)))
        self.flen = 1 + self.fwidth + 4  # f000000.dat
        # Only F-long lists are kept (F names at most: never the tree).
        fmt = "f%0{}d.dat".format(self.fwidth)
        self.fnames = [fmt % i for i in range(files)]
        self.fbytes = [name.encode() for name in self.fnames]
        # Every file name has the same width, so the same padding: `<a ...>NAME</a>` + pad + date.
        pad = " " * (max(NAME_COLUMN - self.flen, 0) + 1)
        self.frows = ['<a href="%s">%s</a>%s' % (n, n, pad) for n in self.fnames]
        self.path_re = re.compile(
            r"/(?:g(\d{%d})/)?(?:d(\d{%d})(/(?:f(\d{%d})\.dat)?)?)?\Z" % (self.gwidth, self.dwidth, self.fwidth)
        )

    def gname(self, g):
        return "g%0*d" % (self.gwidth, g)

    def dname(self, d):
        return "d%0*d" % (self.dwidth, d)

    def dir_path(self, d):
        """`/g0000/d0000000/`, `/d0000000/`."""
        if self.grouped:
            return "/%s/%s/" % (self.gname(d // self.split), self.dname(d))
        return "/%s/" % self.dname(d)

    def resolve(self, path):
        """What `path` names: ("root",), ("group", g), ("dir", d), ("file", d, i),
        ("redirect", path + "/") or None."""
        if path == "/":
            return ("root",)
        m = self.path_re.match(path)
        if not m:
            # A group asked for without its final slash.
            if self.grouped:
                g = re.fullmatch(r"/g(\d{%d})" % self.gwidth, path)
                if g and int(g.group(1)) < self.groups:
                    return ("redirect", path + "/")
            return None
        g, d, rest, f = m.groups()
        if (g is not None) != self.grouped:
            return None
        if d is None:
            if g is None or int(g) >= self.groups:
                return None
            return ("group", int(g))
        d = int(d)
        if d >= self.dirs or (g is not None and d // self.split != int(g)):
            return None
        if rest is None:
            return ("redirect", path + "/")
        if f is None:
            return ("dir", d)
        f = int(f)
        if f >= self.files:
            return None
        return ("file", d, f)

    def dir_rows(self, names):
        pad = " " * (max(NAME_COLUMN - len(names[0]) - 1, 0) + 1) if names else ""
        tail = "%s %s %19s\r\n" % (pad, DIR_DATE, "-")
        return ['<a href="%s/">%s/</a>%s' % (n, n, tail) for n in names]

    def page(self, path, what):
        """The index page of `path` as bytes, and how many entries it lists."""
        head = (
            "<html>\r\n<head><title>Index of %s</title></head>\r\n<body>\r\n"
            '<h1>Index of %s</h1><hr><pre><a href="../">../</a>\r\n' % (path, path)
        )
        if what[0] == "root":
            if self.grouped:
                rows = self.dir_rows([self.gname(g) for g in range(self.groups)])
            else:
                rows = self.dir_rows([self.dname(d) for d in range(self.dirs)])
        elif what[0] == "group":
            g = what[1]
            rows = self.dir_rows([self.dname(d) for d in range(g * self.split, min((g + 1) * self.split, self.dirs))])
        else:
            # The CRC of the directory's path, continued over each name, is the CRC of the
            # file's whole path.
            dcrc = zlib.crc32(self.dir_path(what[1]).encode())
            crc32, dates, fbytes = zlib.crc32, DATE_OF_MINUTE, self.fbytes
            rows = []
            append = rows.append
            for i, row in enumerate(self.frows):
                h = crc32(fbytes[i], dcrc)
                append("%s%s %19d\r\n" % (row, dates[(h >> 11) % MINUTES], h & 2047))
        rows.insert(0, head)
        rows.append("</pre><hr></body>\r\n</html>\r\n")
        return "".join(rows).encode(), len(rows) - 2

    def file(self, d, i):
        """The file's CRC, size, mtime and content."""
        crc = zlib.crc32(self.fbytes[i], zlib.crc32(self.dir_path(d).encode()))
        size = crc & 2047
        content = (b"%08x\n" % crc) * (size // 9 + 1)
        return crc, size, file_mtime(crc), content[:size]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.pages = self.entries = self.page_bytes = 0
        self.gen_seconds = 0.0
        self.file_gets = self.heads = self.redirects = self.missing = 0
        self.connections = 0
        self.first_page = self.last_page = None  # monotonic times: when the first page was
        # asked for and the last one sent

    def page(self, asked, made, sent, entries, size):
        with self.lock:
            self.pages += 1
            self.entries += entries
            self.page_bytes += size
            self.gen_seconds += made - asked
            self.first_page = asked if self.first_page is None else min(self.first_page, asked)
            self.last_page = sent if self.last_page is None else max(self.last_page, sent)

    def add(self, **counts):
        with self.lock:
            for key, n in counts.items():
                setattr(self, key, getattr(self, key) + n)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    disable_nagle_algorithm = True
    tree = None  # set in main
    stats = None

    def setup(self):
        super().setup()
        self.stats.add(connections=1)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):
        self.answer(head=False)

    def do_HEAD(self):
        self.answer(head=True)

    def send(self, status, headers, body, head):
        lines = ["HTTP/1.1 %d %s" % (status, self.responses[status][0])]
        lines.append("Server: nginx")
        lines.append("Date: " + self.date_time_string())
        lines.extend(headers)
        lines.append("Content-Length: %d" % len(body))
        if self.close_connection:
            lines.append("Connection: close")
        else:
            lines.append("Connection: keep-alive")
        out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not head:
            out += body
        self.wfile.write(out)

    def answer(self, head):
        path = self.path
        if not path.startswith("/"):  # an absolute-form target: http://host/path
            path = urllib.parse.urlsplit(path).path or "/"
        path = path.split("?", 1)[0]
        tree, stats = self.tree, self.stats
        what = tree.resolve(path)
        if head:
            stats.add(heads=1)
        if what is None:
            stats.add(missing=1)
            body = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            self.send(404, ["Content-Type: text/html"], body, head)
        elif what[0] == "redirect":
            stats.add(redirects=1)
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            body = b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            self.send(301, ["Content-Type: text/html", "Location: http://%s%s" % (host, what[1])], body, head)
        elif what[0] == "file":
            _crc, _size, mtime, content = tree.file(what[1], what[2])
            if not head:
                stats.add(file_gets=1)
            headers = [
                "Content-Type: application/octet-stream",
                "Last-Modified: " + email.utils.formatdate(mtime, usegmt=True),
                "Accept-Ranges: bytes",
            ]
            self.send(200, headers, content, head)
        else:
            asked = time.monotonic()
            body, entries = tree.page(path, what)
            made = time.monotonic()
            self.send(200, ["Content-Type: text/html", "Last-Modified: " + DIR_LAST_MODIFIED], body, head)
            if not head:
                stats.page(asked, made, time.monotonic(), entries, len(body))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that drops its connection is no news; anything else is printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dirs", type=int, required=True, help="directories (D)")
    ap.add_argument("--files", type=int, required=True, help="files per directory (F)")
    ap.add_argument("--depth-split", type=int, default=1000, metavar="N",
                    help="above N directories, group them N to a g* directory (default 1000; 0: never)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free one)")
    ap.add_argument("--sum", action="store_true",
                    help="serve nothing: print the number of files and their total bytes, and exit")
    args = ap.parse_args()
    if args.dirs < 1 or args.files < 0 or args.depth_split < 0:
        ap.error("--dirs must be at least 1, --files and --depth-split at least 0")
    if args.depth_split and args.dirs > 100 * args.depth_split ** 2:
        ap.error("more than 100 * N * N directories: the root page would list over 100 * N groups")
    if args.files > 100_000:
        print("genserve.py: note: every directory page lists %d files" % args.files, file=sys.stderr)

    tree = Tree(args.dirs, args.files, args.depth_split)
    if args.sum:
        crc32, total = zlib.crc32, 0
        for d in range(args.dirs):
            dcrc = crc32(tree.dir_path(d).encode())
            total += sum(crc32(name, dcrc) & 2047 for name in tree.fbytes)
        print(args.dirs * args.files, total)
        return
    Handler.tree = tree
    Handler.stats = stats = Stats()
    server = Server(("127.0.0.1", args.port), Handler)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(server.server_address[1], flush=True)
    started = time.monotonic()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    cpu = time.process_time()
    span = stats.last_page - stats.first_page if stats.pages else 0.0
    print(
        "genserve.py: %d index pages (%d entries, %.1f MB) generated in %.2f s (wall, summed over threads), "
        "served over %.2f s (first asked to last sent); "
        "%d file GETs, %d HEADs, %d redirects, %d not found; %d connections; "
        "process CPU %.2f s over %.1f s up"
        % (stats.pages, stats.entries, stats.page_bytes / 1e6, stats.gen_seconds, span, stats.file_gets,
           stats.heads, stats.redirects, stats.missing, stats.connections, cpu, time.monotonic() - started),
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    main()
