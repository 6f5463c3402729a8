"""A minimal WebSocket client (RFC 6455) on the Python standard library.

websockets_adapter.py uses it when the `websockets` package is not installed. It implements what
that template needs and nothing more: ws:// and wss://, extra handshake headers, text and binary
messages (it reassembles fragmented ones), pong replies to pings, and the closing handshake. It has
no extensions (no compression) and no proxy support. Its interface is the small part of the
`websockets` asyncio client that the template uses:

    ws = await connect("ws://127.0.0.1:8787/tts/websocket", additional_headers={"Authorization": "Bearer k"})
    await ws.send("text")        # or bytes; raises ConnectionClosed once the connection is closing
    async for message in ws:     # str or bytes; the loop ends when the connection closes
        ...
    await ws.close(1000)         # sends the close frame; the reading loop then sees the server's
"""

import asyncio
import base64
import hashlib
import os
import ssl
import struct
from urllib.parse import urlsplit

_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class ConnectionClosed(Exception):
    """The connection is closed (`code` 1006: it was lost without a close frame)."""

    def __init__(self, code=1006, reason=""):
        super().__init__(f"connection closed ({code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


class InvalidHandshake(Exception):
    """The server refused the upgrade (`status`: its HTTP status, e.g. 401) or answered wrongly."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def _mask(payload, key):
    """XORs `payload` with the 4-byte `key` repeated (RFC 6455 §5.3), a whole payload at a time."""
    if not payload:
        return payload
    n = len(payload)
    keystream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(keystream, "little")).to_bytes(n, "little")


async def connect(uri, additional_headers=None, open_timeout=10):
    """Opens a WebSocket connection to `uri` and returns it once the server has accepted the upgrade."""
    parts = urlsplit(uri)
    if parts.scheme not in ("ws", "wss"):
        raise ValueError(f"not a ws:// or wss:// URI: {uri}")
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=ssl.create_default_context() if secure else None),
        open_timeout,
    )
    key = base64.b64encode(os.urandom(16)).decode()
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    lines += [f"{name}: {value}" for name, value in (additional_headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), open_timeout)
    except (asyncio.IncompleteReadError, ConnectionError) as error:
        writer.close()
        raise InvalidHandshake(f"the server closed the connection during the handshake: {error}") from None
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ")[1]) if len(status_line.split(" ")) > 1 and status_line.split(" ")[1].isdigit() else None
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if status != 101:
        writer.close()
        raise InvalidHandshake(f"the server refused the upgrade: {status_line}", status)
    expected = base64.b64encode(hashlib.sha1(key.encode() + _ACCEPT_GUID).digest()).decode()
    if headers.get("sec-websocket-accept") != expected:
        writer.close()
        raise InvalidHandshake("the server's Sec-WebSocket-Accept does not match the key", status)
    return WebSocket(reader, writer)


class WebSocket:
    """An open client connection. One task reads (`recv` or `async for`); any task may `send`."""

    def __init__(self, reader, writer):
        self._reader = reader
        self._writer = writer
        self._closing = False  # a close frame was sent
        self._closed = False
        self.close_code = None

    def _write_frame(self, opcode, payload):
        key = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        self._writer.write(header + key + _mask(payload, key))

    async def send(self, message):
        """Sends a text (str) or binary (bytes) message."""
        if self._closing or self._closed or self._writer.is_closing():
            raise ConnectionClosed(self.close_code or 1006)
        if isinstance(message, str):
            self._write_frame(0x1, message.encode("utf-8"))
        else:
            self._write_frame(0x2, bytes(message))
        try:
            await self._writer.drain()
        except (ConnectionError, OSError):
            raise ConnectionClosed(1006) from None

    async def close(self, code=1000, reason=""):
        """Starts the closing handshake; the reading task sees the server's close frame and ends."""
        if self._closing or self._closed:
            return
        self._closing = True
        try:
            self._write_frame(0x8, struct.pack("!H", code) + reason.encode("utf-8"))
            await self._writer.drain()
        except (ConnectionError, OSError):
            pass

    async def _read_frame(self):
        first, second = await self._reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self._reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self._reader.readexactly(8))
        key = await self._reader.readexactly(4) if second & 0x80 else None
        payload = await self._reader.readexactly(length) if length else b""
        return bool(first & 0x80), first & 0x0F, _mask(payload, key) if key else payload

    def _lost(self, code):
        self._closed = True
        if self.close_code is None:
            self.close_code = code
        self._writer.close()
        return ConnectionClosed(self.close_code)

    async def recv(self):
        """The next message: str (text) or bytes (binary). Raises ConnectionClosed once closed."""
        if self._closed:
            raise ConnectionClosed(self.close_code or 1006)
        fragments = []
        text = False
        while True:
            try:
                fin, opcode, payload = await self._read_frame()
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                raise self._lost(1006) from None
            if opcode == 0x8:  # close: answer it (unless we started), then the connection is over
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.close_code = code
                if not self._closing:
                    self._closing = True
                    try:
                        self._write_frame(0x8, payload[:2])
                        await self._writer.drain()
                    except (ConnectionError, OSError):
                        pass
                raise self._lost(code)
            if opcode == 0x9:  # ping
                try:
                    self._write_frame(0xA, payload)
                except (ConnectionError, OSError):
                    pass
                continue
            if opcode == 0xA:  # pong
                continue
            if opcode in (0x1, 0x2):
                text = opcode == 0x1
                fragments = [payload]
            else:  # continuation
                fragments.append(payload)
            if fin:
                data = b"".join(fragments)
                return data.decode("utf-8") if text else data

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.recv()
        except ConnectionClosed:
            raise StopAsyncIteration from None
