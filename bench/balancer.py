"""A small round-robin TCP balancer on loopback: the stand-in for nginx's `stream` module or
haproxy's `mode tcp` in the two-node benchmark and crash tests (docs/deployment.md has the
real configurations).

    .venv/bin/python bench/balancer.py --port 8080 127.0.0.1:8001 127.0.0.1:8002

Each client connection goes to the next node in turn; its bytes are copied both ways
untouched, so an HTTP keep-alive connection stays on one node, as it does behind a TCP
balancer. A node that refuses the connection is taken out for `down_s` seconds and the
next one is tried (nginx's `proxy_next_upstream error`; the request was never sent, so
nothing is sent twice). With `check_s`, every node's /healthz is read that often and a node
that does not answer 200 is taken out until it does (haproxy's `option httpchk`). A
connection that was already open to a node that dies is cut, as a real balancer's is: the
client gets no answer and retries with the same idempotency key.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import Counter


class Balancer:
    def __init__(self, nodes: list[tuple[str, int]], port: int = 0, *, down_s: float = 2.0,
                 check_s: float | None = None):
        self.nodes = list(nodes)
        self.port = port
        self.down_s = down_s
        self.check_s = check_s
        self.connections: Counter = Counter()  # node → client connections sent to it
        self._down_until: dict[tuple[str, int], float] = {}
        self._unhealthy: set[tuple[str, int]] = set()
        self._next = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._checker: asyncio.Task | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        if self.check_s and self._checker is None:
            self._checker = asyncio.create_task(self._check_forever())

    async def close(self) -> None:
        """Stop listening and cut every open link (the balancer, or the network, lost)."""
        if self._checker is not None:
            self._checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checker
            self._checker = None
        if self._server is not None:
            self._server.close()
        for link in self._links:
            link.transport.abort()
        self._links.clear()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def _candidates(self) -> list[tuple[str, int]]:
        """The nodes in the order to try for the next connection: those in service first."""
        start = self._next
        self._next = (self._next + 1) % len(self.nodes)
        order = self.nodes[start:] + self.nodes[:start]
        clock = time.monotonic()
        usable = [n for n in order if n not in self._unhealthy and self._down_until.get(n, 0) <= clock]
        return usable or order  # all out: try them anyway rather than refuse

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for node in self._candidates():
            try:
                up = await asyncio.open_connection(*node)
            except OSError:
                self._down_until[node] = time.monotonic() + self.down_s
                continue
            self.connections[node] += 1
            return up
        return None

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up = await self._connect()
        if up is None:
            writer.transport.abort()
            return
        up_reader, up_writer = up
        self._links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except asyncio.CancelledError:  # the loop closing under an idle link
            writer.transport.abort()
            up_writer.transport.abort()
        finally:
            self._links -= {writer, up_writer}

    async def _check_forever(self) -> None:
        while True:
            for node in self.nodes:
                (self._unhealthy.discard if await healthy(node) else self._unhealthy.add)(node)
            await asyncio.sleep(self.check_s)


async def healthy(node: tuple[str, int], timeout: float = 2.0) -> bool:
    """Does the node answer GET /healthz with 200?"""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(*node)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: balancer\r\nConnection: close\r\n\r\n")
            status = await reader.readline()
            writer.close()
            return status.split()[1:2] == [b"200"]
    except (OSError, TimeoutError, IndexError):
        return False


def parse_node(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def serve(args: argparse.Namespace) -> None:
    balancer = Balancer([parse_node(n) for n in args.nodes], args.port, check_s=args.check_s)
    await balancer.start()
    try:
        await asyncio.Event().wait()
    finally:
        await balancer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--check-s", type=float, default=1.0,
                        help="read each node's /healthz this often (0: only refused connections take a node out)")
    parser.add_argument("nodes", nargs="+", help="host:port of each node")
    args = parser.parse_args()
    args.check_s = args.check_s or None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
