#!/usr/bin/env python3
"""The conformance adapter for pipecat (pipecat-ai 1.7.0.dev771), driven through pipecat's own pipeline.

Run inside the python-clients chroot (the clients are vendored there, unchanged):

    speechwire-conformance run \\
      --command "/work/shared/python-clients/run.sh python3 packages/conformance/adapters/python/pipecat_adapter.py"

Every case builds what a pipecat app builds: a `Pipeline([tap, service, tap])` run by a
`PipelineWorker` on a `WorkerRunner` (the machinery `pipecat.tests.utils.run_test` uses; `run_test` itself
cannot wait mid-stream for an event, so the adapter queues frames into the worker itself). The service is
pipecat's, configured only through its public constructor; frames go in the way a transport, a VAD or an
LLM would push them, and what reaches the taps (frames downstream, `ErrorFrame`s upstream) and the
service's event handlers is what the adapter reports.

| suite | service | in | out |
|---|---|---|---|
| stt-turns | `CartesiaTurnsSTTService(url=…/stt/turns/websocket)` | `InputAudioRawFrame`s, `EndFrame` | `on_connected`, `on_turn_*` handlers; `TranscriptionFrame` = the committed turn |
| stt-v1 | `CartesiaSTTService(base_url=ws://host:port, extra_headers={X-Speechwire-Scenario})` | `InputAudioRawFrame`s, `VADUserStoppedSpeakingFrame` (finalize), `EndFrame` | `InterimTranscriptionFrame` / `TranscriptionFrame` |
| tts | one `CartesiaTTSService(url=…/tts/websocket)` per case context | `LLMFullResponseStartFrame`, an `AggregatedTextFrame` per push, `LLMFullResponseEndFrame` (end), `InterruptionFrame` (cancel) | `TTSAudioRawFrame`, `TTSTextFrame`, `TTSStoppedFrame`; `on_tts_request` gives the context id |
| tts-http | `CartesiaHttpTTSService(base_url=…)` | `TTSSpeakFrame` | `TTSAudioRawFrame` |

Errors reach the caller as `ErrorFrame`s (upstream) whose only content is a text: they are reported as
`error` observations with that text and no status or code, because pipecat hands over none (the adapter
does not parse pipecat's message texts).

Debugging: SPEECHWIRE_PIPECAT_LOG=DEBUG shows pipecat's own log; SPEECHWIRE_PIPECAT_TRACE=1 echoes every
observation to stderr.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import sys
import time
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlsplit

from speechwire_conformance import audio_of, audio_pieces, b64, error_observation, serve, ws_base_url

# pipecat logs (loguru, DEBUG) to stderr, which the runner passes through: keep warnings and errors only
# (SPEECHWIRE_PIPECAT_LOG=DEBUG for everything).
from loguru import logger as _loguru

_loguru.remove()
_loguru.add(sys.stderr, level=os.environ.get("SPEECHWIRE_PIPECAT_LOG", "WARNING"))

from pipecat.frames.frames import (  # noqa: E402  (after the logger is set up: pipecat logs on import)
    AggregatedTextFrame,
    ControlFrame,
    EndFrame,
    ErrorFrame,
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FrameProcessed  # noqa: E402
from pipecat.pipeline.pipeline import Pipeline  # noqa: E402
from pipecat.pipeline.worker import PipelineParams, PipelineWorker  # noqa: E402
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor  # noqa: E402
from pipecat.services.cartesia.stt import CartesiaSTTService  # noqa: E402
from pipecat.services.cartesia.tts import CartesiaHttpTTSService, CartesiaTTSService  # noqa: E402
from pipecat.services.cartesia.turns.stt import CartesiaTurnsSTTService  # noqa: E402
from pipecat.utils.text.base_text_aggregator import AggregationType  # noqa: E402
from pipecat.workers.runner import WorkerRunner  # noqa: E402

PIPECAT_VERSION = importlib.metadata.version("pipecat-ai")

CAPABILITIES: Dict[str, Any] = {
    "name": "pipecat",
    "version": f"pipecat-ai {PIPECAT_VERSION} (Python {sys.version.split()[0]})",
    # pipecat has no batch STT service and mints no access tokens.
    "suites": ["stt-v1", "stt-turns", "tts", "tts-http"],
    # Both STT services open a new socket by themselves after a server-initiated drop (v1 from its receive
    # loop, `reconnect_on_error`; turns on the next send, `send_with_retry`), but neither resends audio: only
    # the one message whose send failed goes out again. What was written into the dead socket is lost, and
    # how much (and whether the server's last events are read before the reset) is a matter of timing, so
    # the drop cases would grade a race rather than the client: not declared.
    "reconnect": False,
    # STTService takes `keepalive_timeout` (silence after that long without audio): the turns service
    # passes it through, so the adapter sets it below the case's idle limit. CartesiaSTTService fixes it at
    # 120 s / 30 s in its own __init__ (a second keyword is a TypeError): its keep-alive case fails.
    "keepAlive": True,
    # v1: pipecat sends `finalize` when a VADUserStoppedSpeakingFrame passes CartesiaSTTService.
    "finalize": True,
    # TTS: pipecat never sends `flush:true` (its flush_audio() ends the context with continue:false).
    "flush": False,
    # TTS: an InterruptionFrame makes CartesiaTTSService send {context_id, cancel:true} for its contexts.
    "cancel": True,
    # v1 finals carry the raw server message (`TranscriptionFrame.result`, words included); TTS word
    # timestamps come out as TTSTextFrames.
    "timestamps": True,
    # Server errors come out as ErrorFrames (text only: see the module docstring).
    "errors": True,
    # Turn events' words/languages: the raw message rides on the Interim/TranscriptionFrame of a
    # non-empty turn.update/turn.end (`result`); on_turn_eager_end hands over the transcript only.
    "turnWords": True,
    "turnLanguages": True,
    # Neither STT service can send a `config` message (keyterms are handshake parameters; changing them
    # reconnects).
    "config": False,
    "tls": False,
    # CartesiaHttpTTSService sends output_format {container, encoding, sample_rate}: no `bit_rate`, so no
    # valid mp3 request; raw and WAV in every encoding go through (the body is handed over as is).
    "mp3": False,
    "sse": False,
    "httpFormats": [f"{c}/{e}" for c in ("raw", "wav") for e in ("pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw")],
}

PIPECAT_VERSION_HEADER = "2026-03-01"
START_TIMEOUT_S = 10.0
END_TIMEOUT_S = 20.0


class Tap(FrameProcessor):
    """Passes every frame on and hands the ones going `direction` to `on_frame` (the app's own processor)."""

    def __init__(self, direction: FrameDirection, on_frame: Callable[[Frame], None]):
        super().__init__(enable_direct_mode=True)
        self._direction = direction
        self._on_frame = on_frame

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if direction == self._direction:
            self._on_frame(frame)
        await self.push_frame(frame, direction)


class Marker(ControlFrame):
    """A frame that only marks a place in the service's queue (see `Lane.settle`)."""


class ProcessedObserver(BaseObserver):
    """Tells when the service starts processing a Marker: every frame queued before it has been handled."""

    def __init__(self, service: FrameProcessor):
        super().__init__()
        self._service = service
        self.seen: Dict[int, asyncio.Event] = {}

    async def on_process_frame(self, data: FrameProcessed):
        if data.processor is self._service and isinstance(data.frame, Marker):
            event = self.seen.get(id(data.frame))
            if event:
                event.set()


class Lane:
    """One pipeline around one service, run by its own WorkerRunner."""

    def __init__(self, service: FrameProcessor, on_down: Callable[[Frame], None], on_up: Callable[[Frame], None], out_rate: int = 24000):
        self.service = service
        self.observer = ProcessedObserver(service)
        pipeline = Pipeline([Tap(FrameDirection.UPSTREAM, on_up), service, Tap(FrameDirection.DOWNSTREAM, on_down)])
        self.worker = PipelineWorker(
            pipeline,
            params=PipelineParams(audio_in_sample_rate=16000, audio_out_sample_rate=out_rate),
            observers=[self.observer],
            enable_rtvi=False,
            enable_turn_tracking=False,
            cancel_on_idle_timeout=False,
            idle_timeout_secs=None,
            check_dangling_tasks=False,
        )
        self.started = asyncio.Event()
        self.worker.add_event_handler("on_pipeline_started", self._on_started)
        self.runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
        self.task: Optional[asyncio.Task] = None
        self.ended = False

    async def _on_started(self, _worker, _frame):
        self.started.set()

    async def start(self) -> bool:
        """Starts the pipeline (the service connects in its setup); False when it did not start in time."""
        await self.runner.add_workers(self.worker)
        self.task = asyncio.ensure_future(self.runner.run())
        done, _ = await asyncio.wait([self.task, asyncio.ensure_future(self.started.wait())], timeout=START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
        return self.started.is_set()

    async def queue(self, frame: Frame) -> None:
        await self.worker.queue_frame(frame)

    async def settle(self, timeout: float = 5.0) -> bool:
        """Waits until the service has handled every frame queued so far (bounded)."""
        marker = Marker()
        event = asyncio.Event()
        self.observer.seen[id(marker)] = event
        await self.queue(marker)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self.observer.seen.pop(id(marker), None)

    async def end(self, timeout: float = END_TIMEOUT_S) -> bool:
        """Queues EndFrame and waits for the pipeline to finish; cancels it after `timeout`. True if it ended."""
        if self.ended or self.task is None:
            return True
        self.ended = True
        await self.queue(EndFrame())
        done, _ = await asyncio.wait([self.task], timeout=timeout)
        if done:
            return True
        await self.worker.cancel(reason="speechwire adapter: EndFrame did not finish in time")
        await asyncio.wait([self.task], timeout=5.0)
        return False


def error_of(frame: ErrorFrame, context_id: Optional[str] = None) -> Dict[str, Any]:
    """An ErrorFrame as an observation: pipecat hands over a text, no status or code."""
    return error_observation(message=str(frame.error), context_id=context_id)


# ------------------------------------------------------------------------------------------ STT


def turn_fields(transcript: str, result: Any) -> Dict[str, Any]:
    """A turn event's transcript, with words and languages when pipecat surfaced the raw message."""
    out: Dict[str, Any] = {"transcript": transcript}
    if isinstance(result, dict):
        if isinstance(result.get("words"), list):
            out["words"] = [{"word": w["word"], "start": w["start"], "end": w["end"]} for w in result["words"]]
        if isinstance(result.get("languages"), list):
            out["languages"] = [{"language": l["language"], "confidence": l["confidence"]} for l in result["languages"]]
    return out


async def run_stt(target: Dict[str, Any], c: Dict[str, Any], observe) -> Dict[str, Any]:
    v1 = c["suite"] == "stt-v1"
    stt = c["stt"]
    audio = audio_of(c)
    rate = stt["sample_rate"]
    headers: Dict[str, str] = {}
    # The case's Cartesia-Version (it selects the error shape): pipecat pins 2026-03-01, and its
    # `extra_headers` are merged after its own headers, so they override it.
    if c["version"] != PIPECAT_VERSION_HEADER:
        headers["Cartesia-Version"] = c["version"]
    keepalive: Dict[str, Any] = {}
    if c.get("idleLimitMs") and not v1:
        # A caller who knows the server's idle limit sets pipecat's keep-alive below it.
        keepalive = {"keepalive_timeout": c["idleLimitMs"] / 4000, "keepalive_interval": 0.1}
    if v1:
        url = urlsplit(ws_base_url(target["baseUrl"]))
        # CartesiaSTTService keeps only scheme and host:port of base_url (the /s/<scenario> prefix is lost):
        # the mock's scenario header selects the case's scenario instead.
        headers["X-Speechwire-Scenario"] = url.path.rstrip("/").rsplit("/", 1)[-1]
        settings = CartesiaSTTService.Settings(model=stt["model"], **({"language": stt["language"]} if stt.get("language") else {}))
        svc = CartesiaSTTService(
            api_key=target["apiKey"],
            base_url=f"{url.scheme}://{url.netloc}",
            encoding=stt["encoding"],
            sample_rate=rate,
            extra_headers=headers,
            settings=settings,
        )
    else:
        svc = CartesiaTurnsSTTService(
            api_key=target["apiKey"],
            url=ws_base_url(target["baseUrl"]).rstrip("/") + "/stt/turns/websocket",
            sample_rate=rate,
            extra_headers=headers,
            settings=CartesiaTurnsSTTService.Settings(model=stt["model"]),
            **keepalive,
        )

    # Turn events come from the handlers, in the order the service calls them; the words and languages of
    # turn.update / turn.end ride on the frames it pushes just before (merged in at the end, in order).
    handled: List[Dict[str, Any]] = []
    interim_results: List[Any] = []
    final_frames: List[TranscriptionFrame] = []
    v1_events: List[Dict[str, Any]] = []
    last_result_at = [time.monotonic()]
    state = {"connections": 0, "closing": False}
    dropped = asyncio.Event()
    reconnected = asyncio.Event()

    def on_down(frame: Frame) -> None:
        if isinstance(frame, TranscriptionFrame):
            last_result_at[0] = time.monotonic()
            final_frames.append(frame)
            if v1:
                v1_events.append(v1_transcript(frame, True))
        elif isinstance(frame, InterimTranscriptionFrame):
            last_result_at[0] = time.monotonic()
            interim_results.append(frame.result)
            if v1:
                v1_events.append(v1_transcript(frame, False))

    def on_up(frame: Frame) -> None:
        if isinstance(frame, ErrorFrame):
            observe(error_of(frame))

    def v1_transcript(frame: Any, final: bool) -> Dict[str, Any]:
        event: Dict[str, Any] = {"type": "transcript", "is_final": final, "text": frame.text}
        if isinstance(frame.result, dict) and isinstance(frame.result.get("words"), list):
            event["words"] = [{"word": w["word"], "start": w["start"], "end": w["end"]} for w in frame.result["words"]]
        return event

    async def on_connected(_svc, *args):
        state["connections"] += 1
        if state["connections"] > 1:
            handled.append({"type": "reconnected"})
            reconnected.set()
        if not v1:
            handled.append({"type": "connected"})

    async def on_disconnected(_svc, *args):
        if not state["closing"]:
            handled.append({"type": "reconnecting"})
            dropped.set()

    svc.add_event_handler("on_connected", on_connected)
    svc.add_event_handler("on_disconnected", on_disconnected)
    if not v1:

        def turn_handler(kind: str, has_text: bool):
            async def handler(_svc, *args):
                event: Dict[str, Any] = {"type": kind}
                if has_text:
                    event["transcript"] = args[0] if args else ""
                handled.append(event)

            return handler

        svc.add_event_handler("on_turn_start", turn_handler("turn.start", False))
        svc.add_event_handler("on_turn_update", turn_handler("turn.update", True))
        svc.add_event_handler("on_turn_eager_end", turn_handler("turn.eager_end", True))
        svc.add_event_handler("on_turn_resume", turn_handler("turn.resume", False))
        svc.add_event_handler("on_turn_end", turn_handler("turn.end", True))

    lane = Lane(svc, on_down, on_up)
    min_frame = max(2, (rate // 100) * 2)
    crash: Optional[str] = None
    if not await lane.start():
        crash = "the pipeline did not start (the service did not connect)"
    else:
        offset = 0
        for a in c["actions"]:
            op = a["op"]
            if op == "audio":
                # One InputAudioRawFrame per piece, as a transport pushes them: pieces of at least 10 ms (a
                # transport's frames are 10-20 ms; pipecat sends each frame as one message, and a frame per
                # sample is not pipecat usage), each handed over in its own event-loop turn, as a transport
                # reading a socket does (a burst queued at once keeps the service's receive loop waiting).
                for piece in coalesce(audio_pieces(audio, stt["chunkBytes"], offset, a["bytes"]), min_frame):
                    await lane.queue(InputAudioRawFrame(audio=piece, sample_rate=rate, num_channels=1))
                    await asyncio.sleep(0)
                offset += a["bytes"]
            elif op == "finalize":
                # pipecat's trigger for `finalize`: the VAD saying the user stopped speaking. It surfaces no
                # flush_done, so `wait` cannot be honoured beyond the frame having been handled.
                await lane.queue(VADUserStoppedSpeakingFrame())
                if a.get("wait"):
                    await lane.settle()
            elif op == "idle":
                await lane.settle()
                await asyncio.sleep(a["ms"] / 1000)
            elif op == "wait-disconnect":
                # Only in reconnect cases (not declared). pipecat notices a drop (on_disconnected) and opens a
                # new socket by itself: wait for both (bounded), so what follows goes to the new connection.
                await lane.settle()
                await wait_any([dropped.wait()], 10.0)
                await wait_any([reconnected.wait()], 10.0)
            elif op == "close":
                await lane.settle()
                if v1:
                    # CartesiaSTTService cancels its receive loop before it sends `done`: give the results of
                    # the audio already sent the chance to arrive first, as an app that lets its pipeline run
                    # out before ending it does: at least 0.5 s, and until nothing came for 0.5 s (at most 3 s).
                    last_result_at[0] = time.monotonic()
                    await quiet(last_result_at, 0.5, 3.0)
                state["closing"] = True
                if not await lane.end():
                    crash = "the pipeline did not end within the time limit after EndFrame"
    if not lane.ended:
        state["closing"] = True
        await lane.end()

    if v1:
        for e in v1_events:
            observe(e)
        text = "".join(f.text for f in final_frames)
        return {"crashed": crash is not None, **({"crash": crash} if crash else {}), "text": text}

    # Merge the frames' raw messages into the handler events, in order.
    updates = iter(interim_results)
    ends = iter(final_frames)
    for event in handled:
        if event["type"] == "turn.update" and event["transcript"]:
            observe({"type": "turn.update", **turn_fields(event["transcript"], next(updates, None))})
        elif event["type"] == "turn.end" and event["transcript"]:
            frame = next(ends, None)
            observe({"type": "turn.end", **turn_fields(event["transcript"], frame.result if frame else None)})
        else:
            observe(event)
    # The committed text of each turn: pipecat's TranscriptionFrames.
    turns = [f.text for f in final_frames]
    return {"crashed": crash is not None, **({"crash": crash} if crash else {}), "turns": turns, "text": "".join(turns)}


def coalesce(pieces, min_bytes: int):
    """Joins pieces smaller than `min_bytes` (10 ms) into frames of at least that size; the last may be smaller."""
    pending = b""
    for p in pieces:
        pending += p
        if len(pending) >= min_bytes:
            yield pending
            pending = b""
    if pending:
        yield pending


async def wait_any(awaitables, timeout: float) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def quiet(last: List[float], gap: float, limit: float) -> None:
    """Waits until nothing new arrived for `gap` seconds, at most `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        idle = time.monotonic() - last[0]
        if idle >= gap:
            return
        await asyncio.sleep(min(gap - idle, deadline - time.monotonic()) + 0.01)


# ------------------------------------------------------------------------------------------ TTS


async def run_tts(target: Dict[str, Any], c: Dict[str, Any], observe) -> Dict[str, Any]:
    specs = {s["id"]: s for s in c["contexts"]}
    lanes: Dict[str, Lane] = {}
    wire: Dict[str, str] = {}  # case context id → pipecat's context_id
    crash: Optional[str] = None
    headers = {"Cartesia-Version": c["version"]} if c["version"] != PIPECAT_VERSION_HEADER else {}

    def on_down(frame: Frame) -> None:
        ctx = getattr(frame, "context_id", None)
        if isinstance(frame, TTSAudioRawFrame) and ctx:
            observe({"type": "tts.audio", "context_id": ctx, "data": b64(frame.audio)})
        elif isinstance(frame, TTSTextFrame) and ctx:
            # pipecat turns each timestamped word into a TTSTextFrame stamped with its playout time (pts,
            # ns on the pipeline clock); the server's start and end are not kept.
            t = (frame.pts or 0) / 1e9
            observe({"type": "tts.timestamps", "context_id": ctx, "words": [frame.text], "start": [t], "end": [t]})
        elif isinstance(frame, TTSStoppedFrame) and ctx:
            observe({"type": "tts.done", "context_id": ctx})

    def on_up(frame: Frame) -> None:
        if isinstance(frame, ErrorFrame):
            observe(error_of(frame))

    async def lane_of(ctx: str) -> Optional[Lane]:
        nonlocal crash
        if ctx in lanes:
            return lanes[ctx]
        spec = specs[ctx]
        fmt = spec["output_format"]
        # pipecat fixes model, voice, language and output format per service, and holds one open input
        # context (its LLM turn) at a time: each case context gets its own service (and socket).
        svc = CartesiaTTSService(
            api_key=target["apiKey"],
            url=ws_base_url(target["baseUrl"]).rstrip("/") + "/tts/websocket",
            sample_rate=fmt["sample_rate"],
            encoding=fmt["encoding"],
            container=fmt["container"],
            extra_headers=headers,
            **({"max_buffer_delay_ms": spec["max_buffer_delay_ms"]} if spec.get("max_buffer_delay_ms") is not None else {}),
            settings=CartesiaTTSService.Settings(model=spec["model_id"], voice=spec["voice"]["id"], **({"language": spec["language"]} if spec.get("language") else {})),
        )

        async def on_request(_svc, context_id, _text, ctx=ctx):
            wire.setdefault(ctx, context_id)

        svc.add_event_handler("on_tts_request", on_request)
        lane = Lane(svc, on_down, on_up, out_rate=fmt["sample_rate"])
        lanes[ctx] = lane
        if not await lane.start():
            crash = f"the pipeline of context {ctx} did not start"
            return None
        await lane.queue(LLMFullResponseStartFrame())
        return lane

    for a in c["actions"]:
        op = a["op"]
        if op == "push":
            lane = await lane_of(a["context"])
            if lane:
                # Each piece as an AggregatedTextFrame, the way pipecat's LLMTextProcessor hands the TTS
                # service text it has already aggregated: the service sends it as is, on the turn's context.
                # (Plain LLMTextFrames would go through the service's own sentence aggregation — or, in
                # TOKEN mode, its streaming sequencer — which need NLTK's punkt_tab data: Debian does not
                # ship it, and without it pipecat drops the text with "Error processing frame".)
                await lane.queue(AggregatedTextFrame(text=a["transcript"], aggregated_by=AggregationType.SENTENCE))
        elif op == "end":
            lane = await lane_of(a["context"])
            if lane:
                # The end of the LLM response: pipecat ends its context (transcript "", continue:false).
                await lane.queue(LLMFullResponseEndFrame())
        elif op == "cancel":
            lane = await lane_of(a["context"])
            if lane:
                # An interruption cancels the service's contexts; first let the service send what is queued
                # (an InterruptionFrame is a system frame and would overtake it).
                await lane.settle()
                await lane.queue(InterruptionFrame())
        elif op == "flush":
            pass  # pipecat has no flush (capability `flush: false`)
        elif op == "idle":
            await asyncio.sleep(a["ms"] / 1000)
        elif op == "close":
            results = await asyncio.gather(*(lane.end() for lane in lanes.values()))
            if not all(results):
                crash = "a pipeline did not end within the time limit after EndFrame"
    for lane in lanes.values():
        await lane.end()
    return {"crashed": crash is not None, **({"crash": crash} if crash else {}), "contexts": dict(wire)}


async def run_tts_http(target: Dict[str, Any], c: Dict[str, Any], observe) -> Dict[str, Any]:
    r = c["http"]["request"]
    if c["http"]["endpoint"] != "bytes":
        raise RuntimeError("pipecat has no /tts/sse service")
    fmt = r["output_format"]
    headers = {"Cartesia-Version": c["version"]} if c["version"] != PIPECAT_VERSION_HEADER else {}
    svc = CartesiaHttpTTSService(
        api_key=target["apiKey"],
        base_url=target["baseUrl"].rstrip("/"),
        sample_rate=fmt["sample_rate"],
        encoding=fmt.get("encoding", "pcm_s16le"),
        container=fmt["container"],
        extra_headers=headers,
        settings=CartesiaHttpTTSService.Settings(model=r["model_id"], voice=r["voice"]["id"], **({"language": r["language"]} if r.get("language") else {})),
    )

    def on_down(frame: Frame) -> None:
        if isinstance(frame, TTSAudioRawFrame) and frame.audio:
            observe({"type": "http.audio", "data": b64(frame.audio)})

    def on_up(frame: Frame) -> None:
        if isinstance(frame, ErrorFrame):
            observe(error_of(frame))

    lane = Lane(svc, on_down, on_up, out_rate=fmt["sample_rate"])
    if not await lane.start():
        await lane.end()
        return {"crashed": True, "crash": "the pipeline did not start"}
    await lane.queue(TTSSpeakFrame(text=r["transcript"]))
    ok = await lane.end()
    return {"crashed": not ok, **({} if ok else {"crash": "the pipeline did not end within the time limit after EndFrame"})}


async def run_case(target: Dict[str, Any], c: Dict[str, Any], observe) -> Dict[str, Any]:
    if os.environ.get("SPEECHWIRE_PIPECAT_TRACE"):  # every observation on stderr too, for debugging
        report = observe

        def observe(event: Dict[str, Any]) -> None:
            shown = {k: (v if k != "data" else f"<{len(v)} b64>") for k, v in event.items()}
            print(f"[{c['id']}] {shown}", file=sys.stderr)
            report(event)

    if c["suite"] == "tts":
        return await run_tts(target, c, observe)
    if c["suite"] == "tts-http":
        return await run_tts_http(target, c, observe)
    return await run_stt(target, c, observe)


if __name__ == "__main__":
    serve(CAPABILITIES, run_case)
