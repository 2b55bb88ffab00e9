#!/usr/bin/env python3
"""pyftpdlib server for ftpmirror's integration tests (started by tests/it/support/servers.rs).

Binds 127.0.0.1 or --host (port 0 = any free one) and prints the bound port alone on one stdout line once
it accepts connections, so the test reads the port instead of racing for it.

Users: anonymous (read-only) and alice / secret-pw (full permissions), both rooted at --root.
"""

import argparse
import logging
import os
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

USER = "alice"
PASSWORD = "secret-pw"
# pyftpdlib's permission letters: e/l/r read-only, a/d/f/m/w/M/T writes.
READ_PERMS = "elr"
FULL_PERMS = "elradfmwMT"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--root", required=True, help="directory served to every user")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (::1 for IPv6)")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--no-mlsd", action="store_true",
                   help="drop MLSD/MLST (and their FEAT line): a LIST-only server")
    p.add_argument("--log", help="log file; every command received at DEBUG level")
    p.add_argument("--tls-cert", help="serve FTPS with this PEM (cert+key), generated if missing")
    p.add_argument("--max-cons-per-ip", type=int, default=0,
                   help="connections allowed from one address (0: no limit); more get 421")
    p.add_argument("--throttle", type=int, default=0,
                   help="bytes per second each download may send (0: unlimited)")
    p.add_argument("--watch-stdin", action="store_true",
                   help="exit when stdin closes, so a killed test process leaves no server")
    return p.parse_args()


def make_handler(args):
    base = FTPHandler
    if args.tls_cert:
        from pyftpdlib.handlers import TLS_FTPHandler
        base = TLS_FTPHandler

    class Handler(base):
        # A copy: proto_cmds is a class attribute shared with every other handler.
        proto_cmds = dict(base.proto_cmds)
        # LIST times in UTC, whatever the machine's zone.
        use_gmt_times = True

    if args.no_mlsd:
        # ftp_FEAT advertises "MLST ..." only when MLST/MLSD are in proto_cmds; removing them
        # makes both FEAT and the commands (500 Command not understood) disappear.
        for cmd in ("MLSD", "MLST"):
            Handler.proto_cmds.pop(cmd, None)
    if args.tls_cert:
        ensure_cert(args.tls_cert)
        Handler.certfile = args.tls_cert
    if args.throttle:
        from pyftpdlib.handlers import ThrottledDTPHandler

        class Throttled(ThrottledDTPHandler):
            write_limit = args.throttle

        Handler.dtp_handler = Throttled
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(args.root, perm=READ_PERMS)
    authorizer.add_user(USER, PASSWORD, args.root, perm=FULL_PERMS)
    Handler.authorizer = authorizer
    return Handler


def ensure_cert(path):
    """Write a self-signed certificate for 127.0.0.1/localhost plus its key to one PEM file."""
    if os.path.exists(path):
        return
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    san = x509.SubjectAlternativeName([
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(san, critical=False)
        .sign(key, hashes.SHA256())
    )
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ))


def configure_logging(path):
    logger = logging.getLogger("pyftpdlib")
    if path:
        # DEBUG makes pyftpdlib log every command line received ("<- RETR name"; PASS masked)
        # and every reply ("-> 226 ..."), so tests can check what the client sent.
        handler = logging.FileHandler(path, encoding="utf-8")
        logger.setLevel(logging.DEBUG)
    else:
        handler = logging.StreamHandler(sys.stderr)
        logger.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("[%(levelname)1.1s %(asctime)s] %(message)s"))
    logger.addHandler(handler)


def exit_when_stdin_closes():
    def watch():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    args = parse_args()
    configure_logging(args.log)
    handler = make_handler(args)
    server = FTPServer((args.host, args.port), handler)
    # 0 = unlimited: parallel test clients all come from 127.0.0.1.
    server.max_cons = 0
    server.max_cons_per_ip = args.max_cons_per_ip
    if args.watch_stdin:
        exit_when_stdin_closes()
    print(server.address[1], flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
