#!/usr/bin/env python3
"""pyftpdlib server for ftpmirror's bench/ (started by bench/run.py).

    pyftpd_serve.py --root DIR [--port 0] [--log FILE] [--no-mlsd]

Binds 127.0.0.1 (port 0 = any free one) and prints the bound port alone on the first stdout line
once it accepts connections. Anonymous read-only, rooted at --root; MLSD, MDTM, SIZE, REST,
EPSV; LIST times in UTC; no connection limits (every client comes from 127.0.0.1). With --log,
pyftpdlib's INFO log (one line per login and per finished transfer) goes to FILE, which run.py
reads to count the files each run fetched. Exits on SIGTERM/SIGINT (and with --watch-stdin
when its stdin closes).
"""

import argparse
import logging
import os
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--no-mlsd", action="store_true", help="drop MLSD/MLST: a LIST-only server")
    p.add_argument("--trace", action="store_true",
                   help="log at DEBUG: every command received (`<- CMD ARGS`) and reply")
    p.add_argument("--watch-stdin", action="store_true",
                   help="exit when stdin closes, so a killed run.py leaves no server behind")
    args = p.parse_args()

    logger = logging.getLogger("pyftpdlib")
    handler = logging.FileHandler(args.log, encoding="utf-8") if args.log else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if args.trace else logging.INFO if args.log else logging.WARNING)
    logger.propagate = False

    class Handler(FTPHandler):
        proto_cmds = dict(FTPHandler.proto_cmds)  # a copy: the class attribute is shared
        use_gmt_times = True
        # The default 300 s would outlive a stalled run; a bench run never idles that long.
        timeout = 120

    if args.no_mlsd:
        for cmd in ("MLSD", "MLST"):
            Handler.proto_cmds.pop(cmd, None)
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(os.path.abspath(args.root), perm="elr")
    Handler.authorizer = authorizer

    server = FTPServer(("127.0.0.1", args.port), Handler)
    server.max_cons = 0
    server.max_cons_per_ip = 0

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    if args.watch_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.address[1], flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
