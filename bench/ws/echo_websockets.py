"""WebSocket echo benchmark client using the `websockets` package (sync client).

Usage: python3 bench/ws/echo_websockets.py ws://127.0.0.1:PORT/echo [ROUND_TRIPS [BULK_MESSAGES [json]]]

Same workloads and output as bench/ws/echo.sgl: ROUND_TRIPS (20000) round trips of a
32-byte text message and BULK_MESSAGES (256) binary messages of 1 MiB, every echo
compared with what was sent; each workload timed on its own (time.perf_counter) after
an untimed warm-up (100 text round trips, 2 bulk messages). Without `json` the client
does not offer compression; with `json` it does (websockets' default
permessage-deflate) and the messages are the JSON documents of echo.sgl: 64 of about
1 KiB cycled, and one of about 1 MiB.
"""

import sys
import time

from websockets.sync.client import connect

BULK_SIZE = 1 << 20
TEXT = "sigil-ws-bench:0123456789abcdef!"


def fail(*what):
    print(*what, sep="")
    sys.exit(1)


def record(i, k):
    active = "true" if (i + k) % 2 == 0 else "false"
    return (
        f'{{"id":{i * 10 + k},"name":"item-{k}","price":{(i * 7 + k * 13) % 1000}.{k % 10}'
        f',"tags":["alpha","beta"],"active":{active}}}'
    )


def document(i, n):
    """The JSON document numbered i with n records, exactly as echo.sgl builds it."""
    return f'{{"type":"update","seq":{i},"items":[' + ",".join(record(i, k) for k in range(n)) + "]}"


def run(ws, n, msgs):
    m = len(msgs)
    for i in range(n):
        msg = msgs[i % m]
        ws.send(msg)
        got = ws.recv()
        if type(got) is not type(msg) or got != msg:
            fail("echo mismatch")
    return n


def timed(ws, n, msgs):
    t0 = time.perf_counter()
    done = run(ws, n, msgs)
    t1 = time.perf_counter()
    return done, int((t1 - t0) * 1e6)


def main():
    if len(sys.argv) < 2:
        fail("usage: echo_websockets.py URL [ROUND_TRIPS [BULK_MESSAGES]]")
    url = sys.argv[1]
    round_trips = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    bulk_messages = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    json = len(sys.argv) > 4 and sys.argv[4] == "json"
    if json:
        texts = [document(i, 12) for i in range(64)]
        bulk = [document(0, 12700)]
        bulk_size = len(bulk[0].encode())
        compression = "deflate"
    else:
        assert len(TEXT.encode()) == 32
        texts = [TEXT]
        bulk = [bytes((i * 31) % 251 for i in range(BULK_SIZE))]
        bulk_size = BULK_SIZE
        # No compression (the server does not offer it either).
        compression = None
    # Room for 1 MiB messages.
    with connect(url, compression=compression, max_size=4 * BULK_SIZE) as ws:
        run(ws, 100, texts)
        run(ws, 2, bulk)
        ok, us = timed(ws, round_trips, texts)
        print(f"text_ok={ok} text_us={us}")
        ok, us = timed(ws, bulk_messages, bulk)
        print(f"bulk_ok={ok} bulk_bytes={ok * bulk_size} bulk_us={us}")


if __name__ == "__main__":
    main()
