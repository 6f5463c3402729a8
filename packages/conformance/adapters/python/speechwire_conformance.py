"""The conformance kit's JSON-lines protocol for Python adapters: the loop, not the client.

An adapter imports this module, declares its capabilities and one coroutine that runs a case with its
client, and calls `serve`:

    from speechwire_conformance import serve

    async def run_case(target, case, observe):
        ...                                  # drive the client; observe({"type": "turn.start"}) …
        return {"crashed": False, "turns": [...]}

    serve({"name": "my-client", "suites": ["stt-turns"]}, run_case)

`serve` answers `hello` with the capabilities, runs each `case` (one at a time, in one asyncio loop)
and writes its observations and `done`; a case that raises is reported as `crashed`, never as a hang.
Messages are described in the package's `schemas/` (runner-message, adapter-message).

stdout is the runner's: `serve` keeps the real stdout for protocol lines and points file descriptor 1
at stderr, so a client library that prints (or logs to stdout) cannot corrupt the stream.
Standard library only, Python 3.9+.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import ssl
import sys
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional

Observe = Callable[[Dict[str, Any]], None]
RunCase = Callable[[Dict[str, Any], Dict[str, Any], Observe], Awaitable[Dict[str, Any]]]

_protocol_out = None


def _claim_stdout() -> None:
    """Keeps fd 1 for protocol lines (as a private file) and sends everything else written to fd 1 to stderr."""
    global _protocol_out
    if _protocol_out is not None:
        return
    sys.stdout.flush()
    _protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def write(message: Dict[str, Any]) -> None:
    """Writes one protocol message as one JSON line."""
    out = _protocol_out or sys.stdout
    out.write(json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n")
    out.flush()


def audio_of(case: Dict[str, Any]) -> bytes:
    """The whole audio of an STT case."""
    return base64.b64decode(case["stt"]["audio"])


def audio_pieces(audio: bytes, chunk_bytes: int, start: int, length: int) -> Iterator[bytes]:
    """The pieces an `audio` action sends: `length` bytes from `start`, in `chunk_bytes` pieces."""
    end = min(len(audio), start + length)
    for i in range(start, end, chunk_bytes):
        yield audio[i : min(end, i + chunk_bytes)]


def b64(data: bytes) -> str:
    """Base64 text of bytes (observations carry audio as base64)."""
    return base64.b64encode(bytes(data)).decode("ascii")


def ws_base_url(base_url: str) -> str:
    """The WebSocket form of an http(s) base URL, path kept (`http://h/s/x` → `ws://h/s/x`)."""
    if base_url.startswith("https://"):
        return "wss://" + base_url[len("https://") :]
    if base_url.startswith("http://"):
        return "ws://" + base_url[len("http://") :]
    return base_url


def trust_target_ca(target: Dict[str, Any]) -> Optional[str]:
    """
    Makes `ssl.create_default_context()` (what websockets and aiohttp use) trust the mock's
    certificate too: writes the system bundle plus `target["ca"]` to a file under TMPDIR and points
    `SSL_CERT_FILE` at it. Returns the file, or None when the target has no certificate.
    """
    ca = target.get("ca")
    if not ca:
        return None
    import hashlib
    import tempfile

    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    path = os.path.join(tempfile.gettempdir(), f"speechwire-ca-{hashlib.sha256(ca.encode()).hexdigest()[:16]}.pem")
    if not os.path.exists(path):
        try:
            with open(system, "r", encoding="utf-8") as f:
                bundle = f.read()
        except OSError:
            bundle = ""
        tmp = f"{path}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(bundle + "\n" + ca + "\n")
        os.replace(tmp, path)
    os.environ["SSL_CERT_FILE"] = path
    return path


def error_observation(status: Optional[int] = None, message: str = "", code: Optional[str] = None, context_id: Optional[str] = None) -> Dict[str, Any]:
    """An `error` observation with only the fields that are known."""
    event: Dict[str, Any] = {"type": "error", "message": message}
    if isinstance(status, int) and not isinstance(status, bool):
        event["status"] = status
    if code is not None:
        event["code"] = code
    if context_id is not None:
        event["context_id"] = context_id
    return event


def describe(error: BaseException) -> str:
    """`Type: message` of an exception, for crash reports."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _serve(capabilities: Dict[str, Any], run_case: RunCase) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return  # stdin closed: the runner is gone
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message.get("type")
        if kind == "hello":
            write({"type": "capabilities", "capabilities": capabilities})
        elif kind == "shutdown":
            return
        elif kind == "case":
            case = message["case"]
            case_id = case["id"]

            def observe(event: Dict[str, Any], case_id: str = case_id) -> None:
                write({"type": "observation", "case": case_id, "event": event})

            try:
                result = await run_case(message["target"], case, observe)
            except Exception as error:  # a crash is reported, never a hang
                result = {"crashed": True, "crash": describe(error)}
            write({"type": "done", "case": case_id, "result": result})


def serve(capabilities: Dict[str, Any], run_case: RunCase) -> None:
    """Runs the adapter until the runner sends `shutdown` or closes stdin."""
    _claim_stdout()
    asyncio.run(_serve(capabilities, run_case))
