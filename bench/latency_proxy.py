#!/usr/bin/env python3
"""A user-space TCP proxy that adds network latency, for ftpmirror's bench/.

    latency_proxy.py --upstream 127.0.0.1:2121 --rtt-ms 50 [--mode ftp|plain] [--port 0]

Listens on 127.0.0.1 (port 0 = a free one) and prints the port it listens on, alone on the first
stdout line, once it accepts connections. Exits cleanly (status 0) on SIGTERM or SIGINT.

Delay model (the kernel here has no sch_netem, so latency must come from user space):
  - every byte is delayed by RTT/2 in each direction. Each chunk is timestamped when it is read
    and written out at arrival + RTT/2 by a separate writer task, so the delay does not cost
    bandwidth: chunks in flight overlap, like packets on a long link. Up to --window bytes per
    direction are in flight (default 16 MiB, the bandwidth-delay product of a ~2.6 Gbit/s, 50 ms
    link); past that the reader waits (back pressure).
  - a new connection costs a TCP handshake: the proxy connects upstream only RTT * 1.5 after it
    accepted the client (SYN out, SYN-ACK back, ACK out), and holds the client's first bytes until
    then, so a server's greeting reaches the client 2 RTT after connect() and a request's answer
    2 RTT after it was sent, as over a real link. --no-handshake connects upstream after RTT/2.
    (The client's own connect() still returns at once: the loopback handshake can't be delayed.)

FTP mode (default): the server's replies on the control connection are read line by line and
`227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` and `229 Entering Extended Passive Mode
(|||port|)` are rewritten to point at a new listener on 127.0.0.1 that the proxy opens for that
one data connection and forwards, with the same delays, to the address the server gave (for 229,
the control connection's upstream host). Active mode (PORT/EPRT) is not proxied: the server would
connect to the client directly, undelayed, so clients must use passive mode (lftp, rclone and
wget do by default). After `234` (AUTH TLS accepted) the control connection is opaque: the proxy
warns on stderr and forwards it unchanged, and data connections are then NOT delayed.

Plain mode (HTTP or anything else): forward both directions with the delays, nothing parsed.

Stats: with --stats, one line per closed connection on stderr (kind, bytes each way, duration).
"""

import argparse
import asyncio
import collections
import re
import signal
import sys
import time

CHUNK = 256 * 1024
PASV_227 = re.compile(rb"^(227[ -][^(\r\n]*\()\s*(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\s*(\).*)$", re.S)
EPSV_229 = re.compile(rb"^(229[ -][^(\r\n]*\()([!-~])\2\2(\d+)\2(\).*)$", re.S)
DATA_ACCEPT_TIMEOUT = 60.0


def log(msg):
    print(f"latency_proxy: {msg}", file=sys.stderr, flush=True)


class Proxy:
    def __init__(self, upstream_host, upstream_port, rtt_ms, mode, handshake, window, stats):
        self.host = upstream_host
        self.port = upstream_port
        self.delay = rtt_ms / 2000.0
        self.mode = mode
        self.handshake = handshake
        self.window = window
        self.stats = stats
        self.tasks = set()
        self.data_servers = set()

    def spawn(self, coro):
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def connect_delay(self):
        return self.delay * (3 if self.handshake else 1)

    async def handle_control(self, reader, writer):
        await self.relay(reader, writer, self.host, self.port, "ftp" if self.mode == "ftp" else "plain")

    async def relay(self, creader, cwriter, host, port, kind):
        """Forward one accepted client connection to host:port with the delays."""
        accepted = time.monotonic()
        start_at = accepted + self.connect_delay()
        # Read the client's first bytes while the "handshake" is under way.
        up_q = DelayQueue(self.window)
        up_reader_task = self.spawn(self.read_into(creader, up_q))
        try:
            await sleep_until(start_at)
            sreader, swriter = await asyncio.open_connection(host, port)
        except (OSError, asyncio.CancelledError) as e:
            up_reader_task.cancel()
            close(cwriter)
            if not isinstance(e, asyncio.CancelledError):
                log(f"upstream {host}:{port}: {e}")
            return
        down_q = DelayQueue(self.window)
        if kind == "ftp":
            down_reader = self.read_ftp_replies(sreader, down_q)
        else:
            down_reader = self.read_into(sreader, down_q)
        tasks = [
            up_reader_task,
            self.spawn(down_reader),
            self.spawn(self.write_from(up_q, swriter)),
            self.spawn(self.write_from(down_q, cwriter)),
        ]
        try:
            # Done when both writers have finished (each after its reader's EOF), or on error.
            await asyncio.gather(tasks[2], tasks[3])
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for t in tasks:
                t.cancel()
            close(cwriter)
            close(swriter)
            if self.stats:
                log(f"{kind} {host}:{port} up={up_q.total} down={down_q.total} "
                    f"secs={time.monotonic() - accepted:.3f}")

    async def read_into(self, reader, queue, transform=None):
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                await queue.put(time.monotonic() + self.delay, data)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            queue.put_eof(time.monotonic() + self.delay)

    async def read_ftp_replies(self, reader, queue):
        """Server -> client on an FTP control connection: rewrite 227/229 line by line."""
        buf = b""
        opaque = False
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                now = time.monotonic()
                if opaque:
                    await queue.put(now + self.delay, data)
                    continue
                buf += data
                out = []
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    line += b"\n"
                    line = await self.rewrite(line)
                    if line.startswith(b"234"):
                        log("AUTH TLS accepted: control connection now opaque, "
                            "data connections will NOT be delayed")
                        opaque = True
                        out.append(line)
                        out.append(buf)
                        buf = b""
                        break
                    out.append(line)
                if out:
                    await queue.put(now + self.delay, b"".join(out))
            if buf:
                await queue.put(time.monotonic() + self.delay, buf)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            queue.put_eof(time.monotonic() + self.delay)

    async def rewrite(self, line):
        m = PASV_227.match(line)
        if m:
            h = b".".join(m.group(i) for i in range(2, 6)).decode()
            p = int(m.group(6)) * 256 + int(m.group(7))
            port = await self.open_data_listener(h, p)
            return m.group(1) + b"127,0,0,1,%d,%d" % (port // 256, port % 256) + m.group(8)
        m = EPSV_229.match(line)
        if m:
            d = m.group(2)
            port = await self.open_data_listener(self.host, int(m.group(3)))
            return m.group(1) + d + d + d + str(port).encode() + d + m.group(4)
        return line

    async def open_data_listener(self, host, port):
        """A one-shot listener forwarding its first connection to the server's data port."""
        done = asyncio.get_running_loop().create_future()

        async def on_accept(reader, writer):
            if done.done():
                close(writer)
                return
            done.set_result(True)
            server.close()
            await self.relay(reader, writer, host, port, "data")

        server = await asyncio.start_server(on_accept, "127.0.0.1", 0, backlog=4)
        self.data_servers.add(server)

        async def expire():
            try:
                await asyncio.wait_for(asyncio.shield(done), DATA_ACCEPT_TIMEOUT)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            server.close()
            self.data_servers.discard(server)

        self.spawn(expire())
        return server.sockets[0].getsockname()[1]

    async def write_from(self, queue, writer):
        while True:
            due, data = await queue.get()
            await sleep_until(due)
            if data is None:
                if writer.can_write_eof():
                    try:
                        writer.write_eof()
                    except OSError:
                        pass
                return
            writer.write(data)
            await writer.drain()
            queue.release(len(data))


class DelayQueue:
    """FIFO of (due time, chunk) holding at most `window` bytes; None data marks EOF."""

    def __init__(self, window):
        self.items = collections.deque()
        self.window = window
        self.held = 0
        self.total = 0
        self.changed = asyncio.Event()

    async def put(self, due, data):
        while self.held >= self.window:
            self.changed.clear()
            await self.changed.wait()
        self.items.append((due, data))
        self.held += len(data)
        self.total += len(data)
        self.changed.set()

    def put_eof(self, due):
        self.items.append((due, None))
        self.changed.set()

    async def get(self):
        while not self.items:
            self.changed.clear()
            await self.changed.wait()
        return self.items.popleft()

    def release(self, n):
        self.held -= n
        self.changed.set()


async def sleep_until(due):
    wait = due - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)


def close(writer):
    try:
        writer.close()
    except Exception:
        pass


async def serve(args):
    host, _, port = args.upstream.rpartition(":")
    proxy = Proxy(host or "127.0.0.1", int(port), args.rtt_ms, args.mode, not args.no_handshake,
                  args.window, args.stats)
    server = await asyncio.start_server(proxy.handle_control, "127.0.0.1", args.port, backlog=128)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop
    server.close()
    for s in list(proxy.data_servers):
        s.close()
    for t in list(proxy.tasks):
        t.cancel()
    await asyncio.gather(*proxy.tasks, return_exceptions=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="HOST:PORT of the real server")
    p.add_argument("--rtt-ms", type=float, required=True, help="round-trip time to add (ms)")
    p.add_argument("--mode", choices=["ftp", "plain"], default="ftp")
    p.add_argument("--port", type=int, default=0, help="port to listen on (0 = any free one)")
    p.add_argument("--no-handshake", action="store_true",
                   help="do not charge a TCP handshake (1 RTT) per new connection")
    p.add_argument("--window", type=int, default=16 * 1024 * 1024,
                   help="max bytes in flight per direction (default 16 MiB)")
    p.add_argument("--stats", action="store_true", help="log each closed connection on stderr")
    args = p.parse_args()
    if args.rtt_ms < 0:
        p.error("--rtt-ms must be >= 0")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
