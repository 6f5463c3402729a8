#!/usr/bin/env python3
"""Conformance adapter for LiveKit Agents' Python plugin `livekit-plugins-cartesia` 1.7.0 (with
`livekit-agents` 1.7.0), the sibling of the JS built-in adapter (src/adapter/livekit.ts).

Run it inside the python-clients chroot (the plugin and livekit-agents are vendored there):

    speechwire-conformance run \\
      --command "/work/shared/python-clients/run.sh python3 packages/conformance/adapters/python/livekit_adapter.py"

What it drives, unchanged, the way an agent job uses the plugin (every call inside
`livekit.agents.utils.http_context.open()`, the job's shared aiohttp session):

- STT: `cartesia.STT(base_url=…, model=…).stream()`. The plugin routes by model (stt.py
  `STT.__init__`): `ink-whisper*` gets `LegacyRecognizeStream` on `/stt/websocket` (STT v1), every
  other model `AutoFinalizeRecognizeStream` on `/stt/turns/websocket`. Its `SpeechEvent`s are the
  observations: on turns START_OF_SPEECH → `turn.start`, INTERIM_TRANSCRIPT → `turn.update`,
  PREFLIGHT_TRANSCRIPT → `turn.eager_end`, FINAL_TRANSCRIPT → `turn.end`; on v1 INTERIM/FINAL →
  `transcript` (interim/final, with the words of its `TimedString`s). END_OF_SPEECH, usage and the
  v1 START_OF_SPEECH are the plugin's own bookkeeping, not server events.
- TTS over WebSocket: one `cartesia.TTS(...).stream()` per case context; the plugin picks the
  context's wire `context_id` itself and surfaces it as `SynthesizedAudio.segment_id` (the
  `context_id` of the first message on its socket), which the adapter returns as `result.contexts`.
- TTS over HTTP: `TTS.synthesize()` (`ChunkedStream`, `POST /tts/bytes` over the session, plain
  `http://` works: no TLS needed), raw `pcm_s16le` only, no SSE.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import sys
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speechwire_conformance import audio_of, audio_pieces, b64, error_observation, serve  # noqa: E402

import livekit.agents as lk_agents  # noqa: E402
from livekit import rtc  # noqa: E402
from livekit.agents import APIConnectOptions, APIStatusError, stt as lk_stt, tokenize, utils  # noqa: E402
from livekit.agents.types import USERDATA_TIMED_TRANSCRIPT  # noqa: E402
from livekit.plugins import cartesia  # noqa: E402
from livekit.plugins.cartesia.version import __version__ as PLUGIN_VERSION  # noqa: E402

# The plugin and livekit-agents log warnings (e.g. every error event it swallows) through `logging`;
# stderr is passed through by the runner. Quiet by default; SPEECHWIRE_LIVEKIT_LOG=DEBUG to debug.
logging.basicConfig(stream=sys.stderr, level=os.environ.get("SPEECHWIRE_LIVEKIT_LOG", "ERROR").upper())

CAPABILITIES: Dict[str, Any] = {
    "name": "livekit-python",
    "version": f"livekit-plugins-cartesia {PLUGIN_VERSION}, livekit-agents {lk_agents.__version__} (Python {platform.python_version()})",
    # ink-whisper* streams on /stt/websocket, every other model on /stt/turns/websocket (stt.py);
    # STT._recognize_impl raises NotImplementedError (no batch STT); it mints no access tokens.
    "suites": ["stt-v1", "stt-turns", "tts", "tts-http"],
    # Since it routes by model, /stt/websocket is reachable with ink-whisper only: the runner gives it
    # no v1 case on another model (those need ink-preview's hints or ink-2's refusal of them).
    "sttModels": {"stt-v1": ["ink-whisper"]},
    # Its retry (RecognizeStream._main_task) reruns _run on a new socket but does not resend the audio
    # it had already taken from its input channel; the adapter runs with max_retry=0 (below).
    "reconnect": False,
    # Idle, it only sends WebSocket pings every 30 s (keepalive_task), never silence.
    "keepAlive": False,
    # v1: stream.flush() makes LegacyRecognizeStream.send_task send the bare text `finalize`.
    "finalize": True,
    # TTS flush() flushes its sentence tokenizer (no Cartesia flush goes out); it never sends cancel.
    "flush": False,
    "cancel": False,
    # v1 finals carry `words` (TimedString); TTS word_timestamps become timed transcripts on frames.
    "timestamps": True,
    "errors": True,
    # Turn SpeechEvents carry the transcript only; keyterms and thresholds go in the handshake URL,
    # never in a `config` message.
    "turnWords": False,
    "turnLanguages": False,
    "config": False,
    "tls": False,
    # synthesize() is /tts/bytes only, raw output with TTSEncoding = Literal["pcm_s16le"] (models.py).
    "mp3": False,
    "sse": False,
    "httpFormats": ["raw/pcm_s16le"],
}

# One attempt per case (public APIConnectOptions): the kit's faults are scripted per connection, and a
# retry would open a connection (TTS: a new context) the case did not ask for. Errors then surface at once.
ONE_ATTEMPT = APIConnectOptions(max_retry=0, retry_interval=0.0, timeout=10.0)
# Bounds: the client must finish (drain, close) within this many seconds after the last action.
DRAIN_BOUND_S = 15.0

E = lk_stt.SpeechEventType


def _error_event(error: BaseException) -> Dict[str, Any]:
    """What the caller can read off a LiveKit error: APIStatusError has a status, APIError only a message (no code, no context)."""
    status = getattr(error, "status_code", None) if isinstance(error, APIStatusError) else None
    return error_observation(status=status, message=str(error) or type(error).__name__)


class _Errors:
    """Observes each error once: the plugin emits it on the client ("error") and raises it again from the stream."""

    def __init__(self, observe) -> None:
        self._observe = observe
        self._seen: set = set()

    def __call__(self, error: BaseException) -> None:
        if id(error) in self._seen:
            return
        self._seen.add(id(error))
        self._observe(_error_event(error))


async def run_case(target: Dict[str, Any], case: Dict[str, Any], observe) -> Dict[str, Any]:
    # The plugin's HTTP session comes from the job context, as in an agent job.
    async with utils.http_context.open():
        suite = case["suite"]
        if suite in ("stt-v1", "stt-turns"):
            return await run_stt(target, case, observe)
        if suite == "tts":
            return await run_tts(target, case, observe)
        if suite == "tts-http":
            return await run_tts_http(target, case, observe)
        raise RuntimeError(f"suite {suite} is not declared")


# ------------------------------------------------------------------------------------------------ STT


async def run_stt(target: Dict[str, Any], case: Dict[str, Any], observe) -> Dict[str, Any]:
    s = case["stt"]
    if s["encoding"] != "pcm_s16le":
        raise RuntimeError("the plugin sends only pcm_s16le (constants.AUDIO_ENCODING)")
    model = s["model"]
    v1 = case["suite"] == "stt-v1"
    # The plugin picks the endpoint from the model (stt.py _is_whisper_model): a v1 case on another
    # model would open /stt/turns/websocket. `sttModels` keeps such cases away; this guards the rest.
    if v1 != str(model).startswith("ink-whisper"):
        endpoint = "/stt/websocket" if str(model).startswith("ink-whisper") else "/stt/turns/websocket"
        raise RuntimeError(f"livekit-plugins-cartesia streams model {model} on {endpoint} only (stt.py STT.__init__): it cannot run a {case['suite']} case with it")

    options: Dict[str, Any] = {"api_key": target["apiKey"], "base_url": target["baseUrl"], "model": model, "sample_rate": s["sample_rate"]}
    if v1 and s.get("language"):
        options["language"] = s["language"]  # the legacy stream sends it as `language` (its base code)
    client = cartesia.STT(**options)
    errors = _Errors(observe)
    client.on("error", lambda e: errors(e.error))

    stream = client.stream(conn_options=ONE_ATTEMPT)
    # The stream's task must start before input can end (kit README); once it has started, the stream's
    # audio clock starts here: like AgentSession (voice/agent.py), set start_time_offset to where this
    # stream's audio input starts (0 s), after _main_task added its own microseconds of wall clock.
    await asyncio.sleep(0)
    stream.start_time_offset = 0.0

    turns: List[str] = []
    finals: List[str] = []

    async def consume() -> None:
        try:
            async for ev in stream:
                alt = ev.alternatives[0] if ev.alternatives else None
                text = alt.text if alt is not None else ""
                if v1:
                    if ev.type in (E.INTERIM_TRANSCRIPT, E.FINAL_TRANSCRIPT):
                        is_final = ev.type == E.FINAL_TRANSCRIPT
                        event: Dict[str, Any] = {"type": "transcript", "is_final": is_final, "text": text}
                        words = list(alt.words or []) if alt is not None else []
                        if words:
                            event["words"] = [{"word": str(w), "start": float(w.start_time), "end": float(w.end_time)} for w in words]
                        observe(event)
                        if is_final:
                            finals.append(text)
                elif ev.type == E.START_OF_SPEECH:
                    observe({"type": "turn.start"})
                elif ev.type == E.INTERIM_TRANSCRIPT:
                    observe({"type": "turn.update", "transcript": text})
                elif ev.type == E.PREFLIGHT_TRANSCRIPT:
                    observe({"type": "turn.eager_end", "transcript": text})
                elif ev.type == E.FINAL_TRANSCRIPT:
                    observe({"type": "turn.end", "transcript": text})
                    turns.append(text)
        except Exception as error:  # the stream re-raises what it emitted as "error"
            errors(error)

    consumer = asyncio.create_task(consume())
    audio = audio_of(case)
    # LiveKit agents push 10–20 ms AudioFrames (the plugin re-chunks to 160 ms on the wire), so smaller
    # case chunks are coalesced to at least 10 ms, as the JS adapter does.
    min_bytes = max(2, (s["sample_rate"] // 100) * 2)
    pending = bytearray()
    ended = False

    def push(force: bool) -> None:
        nonlocal ended
        if ended or not pending or (not force and len(pending) < min_bytes):
            return
        data = bytes(pending)
        pending.clear()
        try:
            stream.push_frame(rtc.AudioFrame(data=data, sample_rate=s["sample_rate"], num_channels=1, samples_per_channel=len(data) // 2))
        except RuntimeError:
            ended = True  # the stream already ended (its error was emitted): the client gave up

    offset = 0
    for action in case["actions"]:
        op = action["op"]
        if op == "audio":
            for piece in audio_pieces(audio, s["chunkBytes"], offset, action["bytes"]):
                pending.extend(piece)
                push(False)
            push(True)
            offset += action["bytes"]
        elif op == "finalize":
            # v1: flush() sends `finalize` after the audio pushed so far. The plugin does not surface
            # flush_done (it only logs it), so a caller cannot wait for it: `wait` is not expressible.
            if v1 and not ended:
                try:
                    stream.flush()
                except RuntimeError:
                    ended = True
        elif op == "idle":
            await asyncio.sleep(action["ms"] / 1000)
        elif op == "close":
            # end_input() flushes (v1: one more `finalize`), then the stream sends its end command
            # (`close` / {"type":"close"}) and waits for the server to close.
            if not ended:
                try:
                    stream.end_input()
                except RuntimeError:
                    ended = True
        elif op in ("wait-disconnect", "config"):
            pass  # reconnect cases are skipped (reconnect: false); config is not declared
        else:
            raise RuntimeError(f"action {op} does not apply to {case['suite']}")

    crash: Optional[str] = None
    try:
        await asyncio.wait_for(asyncio.shield(consumer), DRAIN_BOUND_S)
    except asyncio.TimeoutError:
        crash = f"the STT stream did not end within {DRAIN_BOUND_S:.0f} s of the last action"
    await stream.aclose()
    consumer.cancel()
    await asyncio.gather(consumer, return_exceptions=True)
    await client.aclose()
    result: Dict[str, Any] = {"crashed": crash is not None}
    if crash:
        result["crash"] = crash
    if v1:
        result["text"] = "".join(finals)  # v1 finals are deltas: concatenated verbatim
    else:
        result["turns"] = turns
        result["text"] = "".join(turns)
    return result


# ------------------------------------------------------------------------------------------------ TTS


def _tts_client(target: Dict[str, Any], case: Dict[str, Any], model: str, voice: str, sample_rate: int, language: Optional[str], timestamps: bool):
    options: Dict[str, Any] = {
        "api_key": target["apiKey"],
        "base_url": target["baseUrl"],
        "model": model,
        "voice": voice,
        "sample_rate": sample_rate,
        "word_timestamps": timestamps,
        # livekit-blingfire (the default tokenizer) is stubbed in the kit: livekit-agents' own one.
        "tokenizer": tokenize.basic.SentenceTokenizer(),
        # The case's Cartesia-Version: the socket carries it as ?cartesia_version= (the HTTP header
        # of synthesize() is the plugin's constant 2025-04-16 whatever this says).
        "api_version": case["version"],
    }
    if language:
        options["language"] = language  # left out: the plugin's default "en", as in the JS adapter
    return cartesia.TTS(**options)


async def run_tts(target: Dict[str, Any], case: Dict[str, Any], observe) -> Dict[str, Any]:
    specs = {c["id"]: c for c in case["contexts"]}
    streams: Dict[str, Any] = {}
    consumers: Dict[str, "asyncio.Task[None]"] = {}
    contexts: Dict[str, str] = {}
    cancelled: set = set()
    # One TTS (one connection pool) per distinct context format: the plugin fixes it per instance.
    clients: Dict[tuple, Any] = {}
    client_errors: Dict[tuple, _Errors] = {}

    def stream_of(cid: str):
        if cid in streams:
            return streams[cid]
        spec = specs.get(cid)
        if spec is None:
            raise RuntimeError(f"case {case['id']}: no context {cid}")
        # The plugin's TTSEncoding is Literal["pcm_s16le"] (a deprecated parameter): every context is
        # asked as raw s16le at its sample rate, as the JS adapter does.
        key = (spec["model_id"], spec["voice"]["id"], spec["output_format"]["sample_rate"], spec.get("language"), bool(spec.get("add_timestamps")))
        client = clients.get(key)
        if client is None:
            client = _tts_client(target, case, *key)
            client_errors[key] = _Errors(observe)
            client.on("error", lambda e, errs=client_errors[key]: errs(e.error))
            clients[key] = client
        stream = client.stream(conn_options=ONE_ATTEMPT)
        errors = client_errors[key]

        async def consume() -> None:
            try:
                async for ev in stream:
                    # segment_id is the context_id of the first message on the stream's socket: the
                    # wire id the plugin chose (request_id is another id of its own).
                    wire = ev.segment_id if isinstance(ev.segment_id, str) and ev.segment_id else None
                    if wire and cid not in contexts:
                        contexts[cid] = wire
                    ctx = contexts.get(cid, wire or "")
                    data = ev.frame.data.tobytes()
                    if data:
                        observe({"type": "tts.audio", "context_id": ctx, "data": b64(data)})
                    timed = ev.frame.userdata.get(USERDATA_TIMED_TRANSCRIPT) or []
                    if timed:
                        # The plugin aligns each server word with the text it sent and hands the caller
                        # that slice, the whitespace before the word included: the word is the slice stripped.
                        observe({
                            "type": "tts.timestamps",
                            "context_id": ctx,
                            "words": [str(t).strip() for t in timed],
                            "start": [float(t.start_time) for t in timed],
                            "end": [float(t.end_time) for t in timed],
                        })
                if cid in contexts and cid not in cancelled:
                    observe({"type": "tts.done", "context_id": contexts[cid]})
            except Exception as error:
                errors(error)

        streams[cid] = stream
        consumers[cid] = asyncio.create_task(consume())
        return stream

    crash: Optional[str] = None
    try:
        for action in case["actions"]:
            op = action["op"]
            if op == "push":
                stream_of(action["context"]).push_text(action["transcript"])
            elif op == "flush":
                # The plugin's flush() flushes its sentence tokenizer (no Cartesia flush goes out) and,
                # in livekit-agents, ends the stream's segment: SynthesizeStream.push_text drops any text
                # pushed after it ("handling multiple segments in a single instance is deprecated").
                # Called as the JS adapter does; what the client then sends is what the checks read.
                stream_of(action["context"]).flush()
            elif op == "end":
                stream_of(action["context"]).end_input()
            elif op == "cancel":
                # No cancel in the plugin: closing the stream stops it (its socket is dropped from the pool).
                cancelled.add(action["context"])
                await stream_of(action["context"]).aclose()
            elif op == "idle":
                await asyncio.sleep(action["ms"] / 1000)
            elif op == "close":
                pending = [t for t in consumers.values() if not t.done()]
                if pending:
                    done, still = await asyncio.wait(pending, timeout=DRAIN_BOUND_S)
                    if still:
                        crash = f"{len(still)} TTS stream(s) did not end within {DRAIN_BOUND_S:.0f} s of the last action"
            else:
                raise RuntimeError(f"action {op} does not apply to tts")
    finally:
        for stream in streams.values():
            await stream.aclose()
        for task in consumers.values():
            task.cancel()
        await asyncio.gather(*consumers.values(), return_exceptions=True)
        for client in clients.values():
            await client.aclose()
    result: Dict[str, Any] = {"crashed": crash is not None, "contexts": contexts}
    if crash:
        result["crash"] = crash
    return result


async def run_tts_http(target: Dict[str, Any], case: Dict[str, Any], observe) -> Dict[str, Any]:
    http = case["http"]
    if http["endpoint"] != "bytes":
        raise RuntimeError("the plugin has no /tts/sse call")
    r = http["request"]
    f = r["output_format"]
    if f.get("container") != "raw" or f.get("encoding") != "pcm_s16le":
        raise RuntimeError("the plugin asks only for raw pcm_s16le")
    voice = r.get("voice") or {}
    if voice.get("mode") != "id" or not voice.get("id"):
        raise RuntimeError("the adapter maps only voice {mode: id}")
    client = _tts_client(target, case, r["model_id"], voice["id"], f["sample_rate"], r.get("language"), False)
    errors = _Errors(observe)
    client.on("error", lambda e: errors(e.error))
    try:
        stream = client.synthesize(r["transcript"], conn_options=ONE_ATTEMPT)

        async def consume() -> None:
            try:
                async for ev in stream:
                    data = ev.frame.data.tobytes()
                    if data:
                        observe({"type": "http.audio", "data": b64(data)})
            except Exception as error:
                errors(error)

        try:
            await asyncio.wait_for(consume(), DRAIN_BOUND_S + 20)  # its own total timeout is 30 s
        except asyncio.TimeoutError:
            return {"crashed": True, "crash": "synthesize() did not end in time"}
        finally:
            await stream.aclose()
    finally:
        await client.aclose()
    return {"crashed": False}


if __name__ == "__main__":
    serve(CAPABILITIES, run_case)
