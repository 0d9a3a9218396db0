"""The live half of `performer bench response`, on a jackd of its own (``jackd -d dummy``), with the conductor and
engine as `performer run` starts them:

- how late notes arrive: the laptop rig played live at several lookaheads, each run's late notes and the least
  time a note arrived before its start frame (the engine measures both), then a long run at the chosen one;
- expression to audio: an OSC control moving a sounding note's expression, timed on JACK's frame clock by a
  probe client that sends the control and records the engine's output (as the MIDI-to-audio probe does)."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import tomlkit
from pythonosc.udp_client import SimpleUDPClient

from performer.bench.jackd import JackServer
from performer.runtime.supervisor import free_port

ENGINE = "bench-engine"
SCENE_SECONDS = 30.0  # a live run cues the next scene this often
RIGS = Path(__file__).resolve().parents[2] / "rigs"
STOPPED = re.compile(r"engine: stopped; played (\d+) notes.*?(?:least margin (-?[\d.]+) ms)?, (\d+) notes late")


def write_live_rig(folder: Path, lookahead_ms: float, osc_port: int, scenes: list[str] | None = None) -> Path:
    """The laptop rig (or one playing ``scenes``) on the bench's jackd: no device to wait for, OSC on a free port."""
    rig = tomlkit.parse((RIGS / "laptop.toml").read_text())
    rig["show"] = str((RIGS / str(rig["show"])).resolve())
    rig["root"] = "/"  # it plays the shipped scenes from the bench's folder
    rig.pop("demo_session", None)
    if scenes is not None:
        rig.pop("show")
        rig["scenes"] = scenes
    rig["audio"].update({"backend": "jack", "jack_name": ENGINE, "jack_connect": False})
    rig["engine"]["lookahead_ms"] = lookahead_ms
    rig["midi"] = {"api": "jack", "thru": False, "inputs": []}
    rig["osc"] = {"host": "127.0.0.1", "port": osc_port}
    path = folder / "rig.toml"
    path.write_text(tomlkit.dumps(rig))
    return path


def start_run(rig: Path, server: JackServer, seconds: float, stderr: int | None = None) -> subprocess.Popen:
    """`performer run` of ``rig`` on the bench's jackd for ``seconds``, as a user starts it."""
    return subprocess.Popen([sys.executable, "-m", "performer", "run", str(rig), "--duration", str(seconds)],
                            env=server.env, stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def _run(rig: Path, server: JackServer, seconds: float,
         during: Callable[[float], None]) -> dict[str, float | int | None]:
    """``start_run``, calling ``during(t)`` every 50 ms; the engine's closing counts."""
    proc = start_run(rig, server, seconds, stderr=subprocess.PIPE)
    start = time.monotonic()
    while proc.poll() is None:
        during(time.monotonic() - start)
        time.sleep(0.05)
    _, err = proc.communicate(timeout=seconds + 60)
    found = STOPPED.search(err)
    if found is None:
        raise RuntimeError(f"the live run did not report its counts: {err[-800:]}")
    margin = found.group(2)
    return {"played": int(found.group(1)), "late_notes": int(found.group(3)),
            "least_margin_ms": float(margin) if margin is not None else None}


def live_run(server: JackServer, folder: Path, lookahead: float, seconds: float) -> dict:
    """The laptop rig live: an OSC knob moving all the while, and a cue to the next scene every SCENE_SECONDS, so
    the run tours the show (Ember is the densest); late notes, the least margin, and the server's xruns meanwhile."""
    port = free_port()
    osc, rng = SimpleUDPClient("127.0.0.1", port), random.Random(int(lookahead))
    cues = iter(range(1, 10**6))
    due = [SCENE_SECONDS]

    def during(t: float) -> None:
        osc.send_message("/touch/dynamics", rng.random())
        if t >= due[0]:
            osc.send_message("/cue/next", next(cues))
            due[0] += SCENE_SECONDS

    before = server.xruns()
    counts = _run(write_live_rig(folder, lookahead, port), server, seconds, during)
    return {"lookahead_ms": lookahead, "seconds": seconds, **counts, "xruns": server.xruns().since(before).total}


def lookahead_curve(server: JackServer, folder: Path, lookaheads: list[float], seconds: float) -> list[dict]:
    """``live_run`` at each lookahead."""
    return [live_run(server, folder, lookahead, seconds) for lookahead in lookaheads]


CURVE_MS = [20.0, 25.0, 30.0, 40.0, 60.0, 120.0]  # the rig's lookahead_ms is at least 20


def bench_live(curve_seconds: float, live_seconds: float, changes: int = 100) -> dict:
    """The JACK half: the lookahead curve, the long run at the chosen lookahead, expression to audio, and the
    idle server's xruns over a minute beside them (this VM's dummy driver xruns with no client at all)."""
    import tempfile

    from performer.bench.expressionprobe import expression_to_audio
    from performer.bench.jackbench import idle_server_xruns

    with JackServer() as server, tempfile.TemporaryDirectory() as tmp:
        curve = lookahead_curve(server, Path(tmp), CURVE_MS, curve_seconds)
        chosen = choose_lookahead(curve)
        long = live_run(server, Path(tmp), chosen, live_seconds)
        expression = expression_to_audio(server, Path(tmp), changes)
        idle = idle_server_xruns(server, 60.0)
    return {"live_lookahead_ms": chosen, "late_notes": long["late_notes"], "live_run": long,
            "lookahead_curve": curve, **expression, "idle_server_xruns_per_60s": idle}


def choose_lookahead(curve: list[dict], floor_ms: float = 20.0) -> float:
    """The smallest lookahead of the curve with no late note, and no smaller than any lookahead that had one."""
    late = [c["lookahead_ms"] for c in curve if c["late_notes"]]
    clean = [c["lookahead_ms"] for c in curve if not c["late_notes"] and c["lookahead_ms"] > max(late, default=0)]
    return max(floor_ms, min(clean)) if clean else max(c["lookahead_ms"] for c in curve)
