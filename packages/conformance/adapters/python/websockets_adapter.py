#!/usr/bin/env python3
"""A complete, minimal conformance adapter in Python (3.8+): the standard library plus `websockets`.

It is itself a tiny client of the three WebSocket endpoints, of TTS over HTTP and of batch STT
(http.client); the runner's JSON-lines protocol is `speechwire_conformance.serve`, beside it. To
certify your own client, copy this folder and replace the client code with calls into your client;
keep `serve`. Run it with:

    speechwire-conformance run --command "python3 adapters/python/websockets_adapter.py"

WebSockets come from the `websockets` package (version 10 or later; `pip install websockets`). Without
it, the template uses stdlib_websocket.py beside it: a minimal RFC 6455 client on the standard library.
Anything written to stderr is passed through by the runner; stdout carries only protocol messages.
"""

import asyncio
import base64
import codecs
import http.client
import inspect
import json
import re
import sys
import uuid
from urllib.parse import urlencode, urlsplit

from speechwire_conformance import serve

try:  # websockets 13 and later
    from websockets.asyncio.client import connect as _ws_connect
    from websockets.exceptions import ConnectionClosed

    _HEADERS = "additional_headers"
    WEBSOCKETS = "websockets " + __import__("websockets").__version__
except ImportError:
    try:  # websockets 10 to 12
        from websockets.client import connect as _ws_connect
        from websockets.exceptions import ConnectionClosed

        _HEADERS = "extra_headers"
        WEBSOCKETS = "websockets " + __import__("websockets").__version__
    except ImportError:  # no websockets: the standard-library client beside this file
        from stdlib_websocket import ConnectionClosed
        from stdlib_websocket import connect as _ws_connect

        _HEADERS = "additional_headers"
        WEBSOCKETS = "stdlib_websocket.py"

CAPABILITIES = {
    "name": "example-python-adapter",
    "version": f"adapters/python/websockets_adapter.py (Python {sys.version.split()[0]}, {WEBSOCKETS})",
    "suites": ["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch"],
    "reconnect": False,  # this tiny client does not reconnect: the runner skips those cases
    "keepAlive": False,
    "finalize": True,
    "flush": True,
    "cancel": True,
    "timestamps": True,
    "errors": True,
    "turnWords": True,  # turn events' words and languages are passed on as sent (it never reconnects, so no shift)
    "turnLanguages": True,
    "config": True,
    "tls": False,
    "mp3": True,  # /tts/bytes audio is passed through as bytes, whatever the container
}


async def open_websocket(target, path, query, version):
    """Opens a socket with the credentials and version headers (raises if the server refuses it)."""
    url = re.sub(r"^http", "ws", target["baseUrl"]) + path + (f"?{urlencode(query)}" if query else "")
    options = {_HEADERS: {"Authorization": f"Bearer {target['apiKey']}", "Cartesia-Version": version}}
    if WEBSOCKETS != "stdlib_websocket.py":
        # Frames of any size (TTS audio), no pings or compression the server did not ask for, no proxy.
        options.update(max_size=None, ping_interval=None, compression=None)
        if "proxy" in inspect.signature(_ws_connect).parameters:
            options["proxy"] = None
    return await _ws_connect(url, **options)


class Session:
    """A socket, the task that reads it, and `closed`: done once the server has closed it."""

    def __init__(self, ws, on_message):
        self.ws = ws
        self.closed = asyncio.get_running_loop().create_future()
        self.reader = asyncio.ensure_future(self._read(on_message))

    async def _read(self, on_message):
        try:
            async for data in self.ws:
                if isinstance(data, bytes):
                    continue
                try:
                    m = json.loads(data)
                except ValueError:
                    continue  # not JSON: ignore
                if isinstance(m, dict):
                    on_message(m)  # anything else (unknown types included) is ignored by the handler
        except ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result(None)

    def live(self):
        return not self.closed.done()

    async def send(self, frame):
        if not self.live():
            return
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            pass  # the server closed it meanwhile: `closed` follows


async def first(*awaitables):
    """Waits until the first of these is done."""
    await asyncio.wait([asyncio.ensure_future(a) for a in awaitables], return_when=asyncio.FIRST_COMPLETED)


def error_event(m):
    """Normalizes an error event of either shape (§1.4)."""
    status = m.get("status_code") if m.get("status_code") is not None else m.get("code")
    message = next((m[k] for k in ("message", "error", "title") if m.get(k) is not None), "")
    event = {"type": "error", "code": m.get("error_code") if isinstance(m.get("error_code"), str) else None, "message": str(message)}
    if isinstance(status, int):
        event["status"] = status
    if isinstance(m.get("context_id"), str):
        event["context_id"] = m["context_id"]
    return event


def words_of(items):
    return [{"word": w["word"], "start": w["start"], "end": w["end"]} for w in items]


def turn_text(m):
    """A turn event's transcript, with its words and languages when the server sent them."""
    out = {"transcript": m["transcript"]}
    if isinstance(m.get("words"), list):
        out["words"] = words_of(m["words"])
    if isinstance(m.get("languages"), list):
        out["languages"] = [{"language": l["language"], "confidence": l["confidence"]} for l in m["languages"]]
    return out


async def run_stt(target, c, observe):
    v1 = c["suite"] == "stt-v1"
    stt = c["stt"]
    query = {"model": stt["model"], "encoding": stt["encoding"], "sample_rate": str(stt["sample_rate"])}
    if v1 and stt.get("language"):
        query["language"] = stt["language"]
    text = ""
    turns = []
    flush_waiters = []

    def on_message(m):
        nonlocal text
        kind = m.get("type")
        if kind == "error":
            observe(error_event(m))
        elif v1 and kind == "transcript":
            event = {"type": "transcript", "is_final": m["is_final"], "text": m["text"]}
            if isinstance(m.get("words"), list):
                event["words"] = words_of(m["words"])
            observe(event)
            if m["is_final"]:
                text += m["text"]  # finals are deltas: concatenate verbatim
        elif v1 and kind in ("flush_done", "done"):
            observe({"type": kind})
            if kind == "flush_done" and flush_waiters:
                waiter = flush_waiters.pop(0)
                if not waiter.done():
                    waiter.set_result(None)
        elif not v1 and kind in ("connected", "turn.start", "turn.resume"):
            observe({"type": kind})
        elif not v1 and kind in ("turn.update", "turn.eager_end"):
            observe({"type": kind, **turn_text(m)})
        elif not v1 and kind == "turn.end":
            observe({"type": "turn.end", **turn_text(m)})
            turns.append(m["transcript"])  # the definitive text of the turn; eager transcripts are speculative

    try:
        ws = await open_websocket(target, "/stt/websocket" if v1 else "/stt/turns/websocket", query, c["version"])
    except Exception:
        return {"crashed": False, "text": ""} if v1 else {"crashed": False, "text": "", "turns": []}
    session = Session(ws, on_message)
    audio = base64.b64decode(stt["audio"])
    chunk = stt["chunkBytes"]
    offset = 0
    for a in c["actions"]:
        op = a["op"]
        if op == "audio":
            end = offset + a["bytes"]
            for i in range(offset, end, chunk):
                await session.send(audio[i : min(end, i + chunk)])
            offset = end
        elif op == "finalize" and session.live():
            acked = asyncio.get_running_loop().create_future()
            flush_waiters.append(acked)
            await session.send("finalize")
            if a.get("wait"):
                await first(acked, session.closed)
        elif op == "idle":
            await asyncio.sleep(a["ms"] / 1000)
        elif op == "config" and session.live():
            fields = {k: v for k, v in a.items() if k != "op"}
            await session.send(json.dumps({"type": "config", **fields}))  # JSON text on both sockets
        elif op == "close" and session.live():
            # then wait for the server to drain and close
            await session.send("close" if v1 else json.dumps({"type": "close"}))
    await session.closed
    return {"crashed": False, "text": text} if v1 else {"crashed": False, "text": "".join(turns), "turns": turns}


async def run_tts(target, c, observe):
    pending_end = {}  # context id → future resolved when its done/error arrives
    finished = set()

    def end_context(ctx):
        finished.add(ctx)
        waiter = pending_end.get(ctx)
        if waiter and not waiter.done():
            waiter.set_result(None)

    def on_message(m):
        kind = m.get("type")
        ctx = m.get("context_id")
        if kind == "chunk":
            observe({"type": "tts.audio", "context_id": ctx, "data": m["data"]})
        elif kind == "timestamps" and m.get("word_timestamps"):
            t = m["word_timestamps"]
            observe({"type": "tts.timestamps", "context_id": ctx, "words": t["words"], "start": t["start"], "end": t["end"]})
        elif kind == "flush_done":
            observe({"type": "tts.flush_done", "context_id": ctx, "flush_id": m["flush_id"]})
        elif kind == "done":
            if ctx not in finished:
                observe({"type": "tts.done", "context_id": ctx})
            end_context(ctx)
        elif kind == "error":
            observe(error_event(m))
            if isinstance(ctx, str):
                end_context(ctx)

    try:
        ws = await open_websocket(target, "/tts/websocket", None, c["version"])
    except Exception:
        return {"crashed": False}
    session = Session(ws, on_message)
    specs = {s["id"]: s for s in c["contexts"]}

    async def request(ctx, fields):
        # Every input on a context repeats the context's fields (§5.2).
        spec = {k: v for k, v in specs[ctx].items() if k != "id" and not (k == "add_timestamps" and not v)}
        await session.send(json.dumps({**spec, "context_id": ctx, **fields}))

    waits = []
    for a in c["actions"]:
        op = a["op"]
        if op == "push":
            await request(a["context"], {"transcript": a["transcript"], "continue": True})
        elif op == "flush":
            await request(a["context"], {"transcript": "", "continue": True, "flush": True})
        elif op in ("end", "cancel"):
            ctx = a["context"]
            waiter = asyncio.get_running_loop().create_future()
            if ctx in finished:
                waiter.set_result(None)
            else:
                pending_end[ctx] = waiter
            waits.append(waiter)
            if op == "end":
                await request(ctx, {"transcript": "", "continue": False})
            else:
                await session.send(json.dumps({"context_id": ctx, "cancel": True}))
        elif op == "idle":
            await asyncio.sleep(a["ms"] / 1000)
        elif op == "close":
            await first(asyncio.gather(*waits), session.closed)  # drain: every context answered
            await ws.close(1000)
    await session.closed
    return {"crashed": False}


def http_post(target, path, body, headers):
    """POSTs to the target with the credentials; returns the open response (read it as it streams)."""
    url = urlsplit(target["baseUrl"])
    conn = (http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection)(url.hostname, url.port, timeout=60)
    conn.request("POST", url.path + path, body=body, headers={"Authorization": f"Bearer {target['apiKey']}", **headers})
    return conn.getresponse()


def http_error(res):
    """Reads an HTTP error body of either shape (§1.4): structured JSON, or legacy plain text `Title: Message`."""
    text = res.read().decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return {"type": "error", "status": res.status, "code": None, "message": text}
    code = body.get("error_code")
    return {"type": "error", "status": res.status, "code": code if isinstance(code, str) else None, "message": body["message"] if isinstance(body.get("message"), str) else text}


def run_tts_http(target, c, observe):
    sse = c["http"]["endpoint"] == "sse"
    res = http_post(target, "/tts/sse" if sse else "/tts/bytes", json.dumps(c["http"]["request"]).encode(), {"Cartesia-Version": c["version"], "Content-Type": "application/json"})
    if not 200 <= res.status < 300:
        observe(http_error(res))
        return {"crashed": False}
    if not sse:
        # The audio streams in chunks (raw, WAV or MP3): hand each one over as it arrives.
        while True:
            chunk = res.read1(65536)
            if not chunk:
                break
            observe({"type": "http.audio", "data": base64.b64encode(chunk).decode()})
        return {"crashed": False}

    # Server-sent events: `data: <json>` lines, a blank line ends an event (§6.2).
    def handle(block):
        data = "\n".join(re.sub(r"^data: ?", "", line) for line in re.split(r"\r?\n", block) if line.startswith("data:"))
        if not data:
            return
        try:
            m = json.loads(data)
        except ValueError:
            return
        if not isinstance(m, dict):
            return
        kind = m.get("type")
        if kind == "chunk":
            observe({"type": "http.audio", "data": m["data"]})
        elif kind == "timestamps" and m.get("word_timestamps"):
            t = m["word_timestamps"]
            observe({"type": "http.timestamps", "words": t["words"], "start": t["start"], "end": t["end"]})
        elif kind == "done":
            observe({"type": "http.done"})
        elif kind == "error":
            observe(error_event(m))

    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    while True:
        chunk = res.read1(65536)
        if not chunk:
            break
        buffer += decoder.decode(chunk)
        while True:
            end = re.search(r"\r?\n\r?\n", buffer)
            if not end:
                break
            handle(buffer[: end.start()])
            buffer = buffer[end.end() :]
    handle(buffer + decoder.decode(b"", final=True))
    return {"crashed": False}


def run_batch(target, c, observe):
    b = c["batch"]
    boundary = f"----speechwire-{uuid.uuid4().hex}"
    fields = [("model", b["model"])]
    if b.get("language"):
        fields.append(("language", b["language"]))
    if b.get("words"):
        fields.append(("timestamp_granularities[]", "word"))
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields]
    filename = b["filename"].replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode())
    parts.append(base64.b64decode(b["file"]) + f"\r\n--{boundary}--\r\n".encode())
    # Headerless raw PCM is described in the query (§4).
    query = f"?{urlencode({'encoding': b['encoding'], 'sample_rate': str(b['sample_rate'])})}" if b.get("encoding") else ""
    res = http_post(target, f"/stt{query}", b"".join(parts), {"Cartesia-Version": c["version"], "Content-Type": f"multipart/form-data; boundary={boundary}"})
    if not 200 <= res.status < 300:
        observe(http_error(res))
        return {"crashed": False}
    t = json.loads(res.read())
    event = {"type": "batch.transcript", "text": t["text"]}
    if isinstance(t.get("words"), list):
        event["words"] = words_of(t["words"])
    observe(event)
    return {"crashed": False, "text": t["text"]}


async def run_case(target, c, observe):
    if c["suite"] == "tts":
        return await run_tts(target, c, observe)
    if c["suite"] == "tts-http":
        return run_tts_http(target, c, observe)
    if c["suite"] == "stt-batch":
        return run_batch(target, c, observe)
    return await run_stt(target, c, observe)


if __name__ == "__main__":
    serve(CAPABILITIES, run_case)
