"""The live soak: the full rig on `jackd -d dummy` for minutes (the model, 32 voices, a camera process watching
a looped video) while another local app floods its OSC port, and what a show would suffer: late notes, xruns
beside the idle server's over as long, the conductor's CPU and memory, and whether every datagram the camera sent
arrived. ``performer bench flood --live-seconds 600``."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from performer.bench.faults import PEOPLE, LiveRun, wait_for, write_rig
from performer.bench.jackbench import cpu_seconds, idle_server_xruns
from performer.bench.jackd import JackServer
from performer.bench.live import STOPPED
from performer.offline.soak import rss_mb
from performer.runtime.supervisor import free_port

RATE = 20_000.0  # messages a second from the flooding app
CAMERA = re.compile(r"camera \S+: stopped; sent (\d+) datagrams, (\d+) could not be sent")
INPUTS = re.compile(r"inputs: camera channel (\d+) datagrams, (\d+) over its budget; OSC (\d+) datagrams admitted, "
                    r"(\d+) over a rate, (\d+) refused, (\d+) unwanted messages; (\d+) events dropped at the inbox")


def flooded_run(server: JackServer, folder: Path, seconds: float, rate: float = RATE) -> dict:
    """The rig playing for ``seconds`` under the flood; the conductor sampled each second."""
    port = free_port()
    rig = write_rig(folder, "flood-engine", port, generator="model", camera=PEOPLE)
    rig.write_text(rig.read_text().replace("lookahead_ms = 80", "lookahead_ms = 20\nvoices = 32"))  # the default
    run = LiveRun(rig, server, folder)
    try:
        wait_for(lambda: run.notes_logged() and run.child("camera_process"), 60, "the show and its camera", run)
        conductor = run.child("performer conduct")
        assert conductor is not None, "no conductor process"
        before = server.xruns()
        flooder = subprocess.Popen([sys.executable, "-m", "performer.bench.flooder", str(port), str(rate),
                                    str(seconds)], stdout=subprocess.PIPE, text=True)
        samples = []
        for _ in range(int(seconds)):
            time.sleep(1.0)
            samples.append((cpu_seconds(conductor), rss_mb(conductor)))
        sent = int((flooder.communicate(timeout=30)[0] or "0").strip() or 0)
        xruns = server.xruns().since(before).total
        code = run.stop()
    finally:
        run.stop()
    return {"exit_code": code, "flood_messages_sent": sent, "xruns": xruns, **_counts(run.output()),
            **_conductor(samples)}


def _conductor(samples: list[tuple[float, float]]) -> dict:
    """CPU (a percentage of one core) over the run, and memory: the last minute's mean over the first's."""
    minute = max(1, min(60, len(samples) // 4))
    cpu = (samples[-1][0] - samples[0][0]) / max(1, len(samples) - 1) * 100
    first = sum(s[1] for s in samples[:minute]) / minute
    last = sum(s[1] for s in samples[-minute:]) / minute
    return {"conductor_cpu_percent": round(cpu, 1), "conductor_rss_first_mb": round(first, 1),
            "conductor_rss_last_mb": round(last, 1), "conductor_rss_growth_mb": round(last - first, 1)}


def _counts(output: str) -> dict:
    """The engine's, the camera's and the conductor's closing lines, as numbers."""
    engine, camera, inputs = STOPPED.search(output), CAMERA.search(output), INPUTS.search(output)
    if engine is None or camera is None or inputs is None:
        raise RuntimeError(f"a closing line is missing:\n{output[-3000:]}")
    sent, unsent = int(camera.group(1)), int(camera.group(2))
    received, over = int(inputs.group(1)), int(inputs.group(2))
    return {"notes_played": int(engine.group(1)), "late_notes": int(engine.group(3)),
            "least_margin_ms": float(engine.group(2)) if engine.group(2) else None,
            "camera_sent": sent, "camera_unsent": unsent, "camera_received": received,
            "camera_over_budget": over, "camera_all_delivered": unsent == 0 and over == 0 and received == sent,
            "osc_admitted_datagrams": int(inputs.group(3)), "osc_over_rate": int(inputs.group(4)),
            "osc_unwanted_messages": int(inputs.group(6)), "inbox_dropped": int(inputs.group(7))}


def bench_flood(seconds: float, rate: float = RATE) -> dict:
    """The flooded run, then the same jackd idle for as long (this VM's dummy driver xruns with no client)."""
    with JackServer() as server, tempfile.TemporaryDirectory() as folder:
        result = flooded_run(server, Path(folder), seconds, rate)
        result["idle_server_xruns"] = idle_server_xruns(server, seconds)
    return {"seconds": seconds, "flood_rate": rate, **result}
