"""Echo server on Python `websockets` (asyncio), the reference server of bench/ws and
bench/async.

Usage: python3 bench/ws/echo_server_websockets.py [PORT]
Listens on 127.0.0.1:PORT (0, the default, picks a free port) and prints
"python echo server on ws://127.0.0.1:PORT/", then echoes every message on every path
until killed. Compression is off (the Sigil server has none), messages may be as large
as the clients send, keepalive pings stay at their default. Like the Sigil server, it
queues up to 1 024 connections waiting to be accepted (asyncio's default is 100, which
makes 1 000 clients connecting at once wait for SYN retries), and it gives a handshake
as long as it takes (1 000 handshakes arrive at once in bench/async).
"""

import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with serve(
        echo,
        "127.0.0.1",
        port,
        compression=None,
        max_size=None,
        open_timeout=None,
        backlog=1024,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"python echo server on ws://127.0.0.1:{port}/", flush=True)
        await asyncio.get_running_loop().create_future()


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
