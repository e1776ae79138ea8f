"""Python `websockets` server that speaks permessage-deflate (RFC 7692): an
independent peer for Sigil's compression tests and benchmarks.

Usage: python deflate_server.py [PORT]

Listens on 127.0.0.1:PORT (default 0, a free port), prints "READY port=N" once
listening and exits when its standard input closes, so a parent cannot leak it.

The query string of each upgrade request sets the server's side of the negotiation
(websockets' ServerPerMessageDeflateFactory) for that connection:

  compression=0                 answer without the extension (no compression)
  server_no_context_takeover=1  the server starts every message afresh
  client_no_context_takeover=1  the client must start every message afresh
  server_max_window_bits=N      the server's window, 8 to 15; websockets refuses 8
                                (zlib cannot compress with it), so for 8 this server
                                compresses every 256-byte piece on its own, which
                                keeps every match within 256 bytes
  client_max_window_bits=N      limits the client's window to N (8 to 15), if the
                                client offered the parameter
  fragment=N                    send messages in fragments of N bytes

Paths:

  /echo     echo every message
  /report   answer every message with the JSON text
            {"type": "text"|"binary", "compressed": RSV1 on its first frame,
             "wire": payload bytes received, "size": bytes once inflated}
"""

import json
import sys
import threading
import zlib
from urllib.parse import parse_qs, urlsplit

from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import CONT, CTRL_OPCODES, Frame
from websockets.sync.server import serve

PIECE = 256
TAIL = b"\x00\x00\xff\xff"


class Recording(PerMessageDeflate):
    """PerMessageDeflate that records, for each message received, whether its first
    frame had RSV1 and how many payload bytes it took on the wire."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received = []
        self.current = None

    def decode(self, frame, *, max_size=None):
        if frame.opcode not in CTRL_OPCODES:
            if frame.opcode is not CONT:
                self.current = [frame.rsv1, 0]
            self.current[1] += len(frame.data)
            if frame.fin:
                self.received.append(tuple(self.current))
        return super().decode(frame, max_size=max_size)


class Window8(Recording):
    """Compresses for an 8-bit window: each 256-byte piece of a frame with a
    compressor of its own, so that no match reaches back more than 256 bytes."""

    def encode(self, frame):
        if frame.opcode in CTRL_OPCODES:
            return frame
        # An empty frame still needs its (empty) block.
        data = b"".join(
            piece(bytes(frame.data[i : i + PIECE]))
            for i in range(0, max(len(frame.data), 1), PIECE)
        )
        if frame.fin and data.endswith(TAIL):
            data = data[:-4]
        return Frame(frame.opcode, data, frame.fin, frame.opcode is not CONT)


def piece(data):
    c = zlib.compressobj(wbits=-9)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


class Factory(ServerPerMessageDeflateFactory):
    """The standard factory, answering with a Recording (or Window8) extension."""

    def __init__(self, window8=False, **kwargs):
        super().__init__(**kwargs)
        self.window8 = window8

    def process_request_params(self, params, accepted_extensions):
        response, ext = super().process_request_params(params, accepted_extensions)
        cls = Recording
        if self.window8:
            cls = Window8
            response = [
                (k, "8" if k == "server_max_window_bits" else v) for k, v in response
            ]
        ext = cls(
            ext.remote_no_context_takeover,
            ext.local_no_context_takeover,
            ext.remote_max_window_bits,
            ext.local_max_window_bits,
            self.compress_settings,
        )
        return response, ext


def configure(connection, request):
    """process_request hook: per-connection settings from the query string."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(request.path).query).items()}
    connection.fragment = int(query.get("fragment", "0"))
    if query.get("compression") == "0":
        connection.protocol.available_extensions = []
        return None
    bits = lambda name: int(query[name]) if name in query else None
    server_bits = bits("server_max_window_bits")
    window8 = server_bits == 8
    connection.protocol.available_extensions = [
        Factory(
            window8=window8,
            server_no_context_takeover=query.get("server_no_context_takeover") == "1",
            client_no_context_takeover=query.get("client_no_context_takeover") == "1",
            server_max_window_bits=9 if window8 else server_bits,
            client_max_window_bits=bits("client_max_window_bits"),
        )
    ]
    return None


def send(connection, message):
    n = connection.fragment
    if n > 0 and len(message) > n:
        connection.send([message[i : i + n] for i in range(0, len(message), n)])
    else:
        connection.send(message)


def handler(connection):
    report = urlsplit(connection.request.path).path == "/report"
    ext = next(iter(connection.protocol.extensions), None)
    for message in connection:
        if report:
            compressed, wire = ext.received.pop(0) if ext else (False, None)
            text = isinstance(message, str)
            size = len(message.encode() if text else message)
            message = json.dumps(
                {
                    "type": "text" if text else "binary",
                    "compressed": compressed,
                    "wire": size if wire is None else wire,
                    "size": size,
                }
            )
        send(connection, message)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with serve(
        handler,
        "127.0.0.1",
        port,
        process_request=configure,
        max_size=None,
        ping_interval=None,
    ) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"READY port={server.socket.getsockname()[1]}", flush=True)
        sys.stdin.read()
        server.shutdown()


if __name__ == "__main__":
    main()
