"""Concurrency benchmark client: Python `websockets` on asyncio (see bench/async/run.sh).

Usage: python3 bench/async/many_asyncio.py ws://127.0.0.1:PORT/echo [CONNECTIONS [ROUND_TRIPS]]

Same workload and output as bench/async/many.sgl: CONNECTIONS (1000) tasks run with
asyncio.gather, each opening its own connection and doing ROUND_TRIPS (100) round trips
of a 32-byte text message (distinct per connection), every echo compared with what was
sent, then closing. Timed with time.perf_counter around the whole asyncio.run (connect,
round trips and close of every connection).
Output: round_trips=VERIFIED seconds=ELAPSED rt_per_s=RATE
"""

import asyncio
import sys
import time

try:  # websockets >= 13
    from websockets.asyncio.client import connect
except ImportError:  # older releases
    from websockets import connect


def fail(*what):
    print(*what, sep="")
    sys.exit(1)


def message(i):
    text = f"async-bench:{i:04d}:0123456789abcd!"
    if len(text.encode()) != 32:
        fail("message is not 32 bytes: ", text)
    return text


async def client(url, i, round_trips):
    text = message(i)
    ok = 0
    # No compression (the server offers none); no handshake timeout, since 1 000
    # handshakes queue up at once; keepalive pings stay at their default.
    async with connect(url, compression=None, open_timeout=None) as ws:
        for _ in range(round_trips):
            await ws.send(text)
            got = await ws.recv()
            if type(got) is str and got == text:
                ok += 1
    return ok


async def run(url, connections, round_trips):
    results = await asyncio.gather(*(client(url, i, round_trips) for i in range(connections)))
    return sum(results)


def main():
    if len(sys.argv) < 2:
        fail("usage: many_asyncio.py URL [CONNECTIONS [ROUND_TRIPS]]")
    url = sys.argv[1]
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    round_trips = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    t0 = time.perf_counter()
    verified = asyncio.run(run(url, connections, round_trips))
    t1 = time.perf_counter()
    seconds = t1 - t0
    print(f"round_trips={verified} seconds={seconds:.6f} rt_per_s={round(verified / seconds)}")
    if verified != connections * round_trips:
        fail("verified ", verified, " of ", connections * round_trips, " echoes")


if __name__ == "__main__":
    main()
