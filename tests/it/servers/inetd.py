#!/usr/bin/env python3
"""A tiny inetd for ftpmirror's tests: listens on 127.0.0.1:PORT and, for each connection, runs
CMD with the socket as its stdin and stdout (stderr appended to LOG), as inetd starts servers
that have no listening mode of their own on another port (inetutils ftpd, netkit ftpd).

usage: inetd.py PORT LOG CMD [ARGS...]
"""

import os
import signal
import socket
import sys


def main():
    port, log, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.dup2(conn.fileno(), 0)
            os.dup2(conn.fileno(), 1)
            err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(err, 2)
            os.execv(cmd[0], cmd)
        conn.close()


if __name__ == "__main__":
    main()
