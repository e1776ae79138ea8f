"""WebSocket echo benchmark client using the `websockets` package (sync client).

Usage: python3 bench/ws/echo_websockets.py ws://127.0.0.1:PORT/echo [ROUND_TRIPS [BULK_MESSAGES]]

Same workloads and output as bench/ws/echo.sgl: ROUND_TRIPS (20000) round trips of a
32-byte text message and BULK_MESSAGES (256) binary messages of 1 MiB, every echo
compared with what was sent; each workload timed on its own (time.perf_counter) after
an untimed warm-up (100 text round trips, 2 bulk messages).
"""

import sys
import time

from websockets.sync.client import connect

BULK_SIZE = 1 << 20
TEXT = "sigil-ws-bench:0123456789abcdef!"


def fail(*what):
    print(*what, sep="")
    sys.exit(1)


def run(ws, n, msg):
    for _ in range(n):
        ws.send(msg)
        got = ws.recv()
        if type(got) is not type(msg) or got != msg:
            fail("echo mismatch")
    return n


def timed(ws, n, msg):
    t0 = time.perf_counter()
    done = run(ws, n, msg)
    t1 = time.perf_counter()
    return done, int((t1 - t0) * 1e6)


def main():
    if len(sys.argv) < 2:
        fail("usage: echo_websockets.py URL [ROUND_TRIPS [BULK_MESSAGES]]")
    url = sys.argv[1]
    round_trips = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    bulk_messages = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    assert len(TEXT.encode()) == 32
    payload = bytes((i * 31) % 251 for i in range(BULK_SIZE))
    # No compression (the server does not offer it either); room for 1 MiB messages.
    with connect(url, compression=None, max_size=4 * BULK_SIZE) as ws:
        run(ws, 100, TEXT)
        run(ws, 2, payload)
        ok, us = timed(ws, round_trips, TEXT)
        print(f"text_ok={ok} text_us={us}")
        ok, us = timed(ws, bulk_messages, payload)
        print(f"bulk_ok={ok} bulk_bytes={ok * BULK_SIZE} bulk_us={us}")


if __name__ == "__main__":
    main()
