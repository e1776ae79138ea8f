"""Python `websockets` as a client of a Sigil server (crates/sigil/tests/server.rs).

Usage: python python_client.py ws://localhost:PORT [compressed]
Prints one line per check; the Rust test compares them. "compressed": the server
accepts permessage-deflate (which the client offers, as by default).
"""

import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def compressed(url):
    async with connect(url + "/echo", max_size=None) as ws:
        print("extensions", ws.response.headers.get("Sec-WebSocket-Extensions"))
        for i in range(3):
            text = '{"n": %d, "items": [%s]}' % (i, ", ".join(['"item"'] * 1000))
            await ws.send(text)
            print("compressed text", await ws.recv() == text)
        data = bytes(range(256)) * 4096
        await ws.send(data)
        print("compressed 1 MiB binary", await ws.recv() == data)
        await ws.close()
        print("client close", ws.close_code)


async def main(url):
    # Default options: permessage-deflate is offered (and declined by the server).
    async with connect(url + "/echo", max_size=None) as ws:
        await ws.send("héllo ✓")
        print("text", await ws.recv() == "héllo ✓")
        await ws.send(b"\x00\x01\xff")
        print("binary", await ws.recv() == b"\x00\x01\xff")
        await ws.send(["frag", "ment", "ed"])
        print("fragments", await ws.recv() == "fragmented")
        pong = await ws.ping(b"ping!")
        await asyncio.wait_for(pong, 10)
        print("ping answered")
        big = (bytes(range(251)) * ((16 << 20) // 251 + 1))[: 16 << 20]
        await ws.send(big)
        print("16 MiB binary", await ws.recv() == big)
        text = "€" * ((16 << 20) // 3)
        await ws.send(text)
        print("16 MiB text", await ws.recv() == text)
        print("extensions", ws.response.headers.get("Sec-WebSocket-Extensions"))
        await ws.close(1001, "going")
        print("client close", ws.close_code, repr(ws.close_reason))
    async with connect(url + "/close/4001") as ws:
        try:
            await ws.recv()
        except ConnectionClosed as e:
            print("server close", e.rcvd.code, e.rcvd.reason)
    async with connect(url + "/info?x=1", subprotocols=["v1", "v2"]) as ws:
        print("subprotocol", ws.subprotocol)
        print("info", [await ws.recv() for _ in range(3)])


asyncio.run(compressed(sys.argv[1]) if sys.argv[2:] == ["compressed"] else main(sys.argv[1]))
