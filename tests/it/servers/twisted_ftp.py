#!/usr/bin/env python3
"""Twisted's FTP server (twisted.protocols.ftp) for ftpmirror's integration tests (started by
tests/it/support/twisted.rs).

Binds 127.0.0.1 on a free port and prints the port alone on one stdout line once it accepts
connections. Anonymous logins get --root. Every command received is logged to --log as
`< COMMAND ARGS`, one per line.

Twisted reads one command at a time: a command that arrives during a transfer waits for its
end, and after EPSV or PASV nothing more is read until the client connects to the data port (or
10 seconds pass, which it answers with 550). Its data connections are not half-closeable: a
client that shuts its side for writing has closed the connection.
"""

import argparse
import os
import sys
import threading

from twisted.cred.checkers import AllowAnonymousAccess
from twisted.cred.portal import Portal
from twisted.internet import reactor
from twisted.protocols.ftp import FTP, FTPFactory, FTPRealm


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--root", required=True, help="directory served to anonymous logins")
    p.add_argument("--log", required=True, help="every command received, one per line")
    return p.parse_args()


def main():
    args = parse_args()
    log = open(args.log, "a", buffering=1)

    class LoggingFTP(FTP):
        def lineReceived(self, line):
            log.write("< " + line.decode("latin-1") + "\n")
            return super().lineReceived(line)

    factory = FTPFactory(Portal(FTPRealm(args.root), [AllowAnonymousAccess()]))
    factory.protocol = LoggingFTP
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")

    # Exit when stdin closes, so a killed test process leaves no server behind.
    def watch():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    print(port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
