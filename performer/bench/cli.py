"""`performer bench WHAT --json FILE`: measurements against the issue targets, as one JSON object.

Each bench runs single-threaded where it says so: the thread caps are set before numpy or torch load."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

from performer.runtime.threads import SINGLE_THREAD


def run_bench(args: argparse.Namespace) -> int:
    """Run one bench (or all of them), print its result and write it to --json."""
    if "numpy" in sys.modules and any(os.environ.get(k) != v for k, v in SINGLE_THREAD.items()):
        raise RuntimeError("numpy loaded before the bench could cap its threads; the figures would be wrong")
    os.environ.update(SINGLE_THREAD)
    report(bench_all(args) if args.what == "all" else BENCHES[args.what](args), args.json)
    return 0


def report(result: dict, path: str | None) -> None:
    """Print a result as JSON, and write it to ``path`` if given (`performer bench` and `performer soak`)."""
    text = json.dumps(result, indent=2)
    if path:
        Path(path).write_text(text + "\n")
    print(text)


def bench_all(args: argparse.Namespace) -> dict:
    """Every bench in turn, with the machine it ran on; one that fails is reported as such and the rest run."""
    from performer.bench.machine import machine

    out: dict = {"machine": machine()}
    for name, bench in BENCHES.items():
        began = time.monotonic()
        try:
            out[name] = bench(args)
        except Exception as error:  # one bench's failure must not lose the others' figures
            out[name] = {"error": f"{type(error).__name__}: {error}"[:500]}
        out[name]["bench_seconds"] = round(time.monotonic() - began, 1)
    return out


def _model(args: argparse.Namespace) -> dict:
    from performer.bench.model import bench_model

    folder = Path(args.finetune_midi) if args.finetune_midi else None
    return bench_model(Path(args.weights), Path(args.events), folder, args.finetune_minutes)


def _audio(args: argparse.Namespace) -> dict:
    from performer.bench.audio import bench_audio
    from synthesis.settings import AudioSettings

    return bench_audio(AudioSettings(), seconds=args.seconds, latency_notes=args.latency_notes)


def _response(args: argparse.Namespace) -> dict:
    from performer.bench.response import bench_response

    result = bench_response(args.generator)
    if not args.offline_only:
        from performer.bench.live import bench_live

        result.update(bench_live(args.curve_seconds, args.live_seconds))
    return result


def _music(args: argparse.Namespace) -> dict:
    from performer.bench.music import bench_music

    return bench_music(Path(args.weights), Path(args.events), args.music_seconds, args.music_seeds)


def _camera(args: argparse.Namespace) -> dict:
    from performer.bench.camera import bench_camera

    return bench_camera()


def _soak(args: argparse.Namespace) -> dict:
    from datetime import datetime

    from performer.config.loading import load_rig
    from performer.offline.soak import DEFAULT_START, soak

    rig = Path(__file__).resolve().parents[2] / "rigs" / "gallery.toml"
    return soak(load_rig(rig), args.soak_hours, datetime.fromisoformat(DEFAULT_START)).as_json()


def _faults(args: argparse.Namespace) -> dict:
    from performer.bench.faults import bench_faults

    return bench_faults()


def _flood(args: argparse.Namespace) -> dict:
    from performer.bench.flood import bench_flood

    return bench_flood(args.live_seconds)


def _clock(args: argparse.Namespace) -> dict:
    from performer.bench.clock import bench_clock

    return bench_clock(args.clock_seconds)


def _fuzz(args: argparse.Namespace) -> dict:
    from performer.bench.fuzz.bench import bench_fuzz

    only = [name for name in args.only.split(",") if name] if args.only else []
    return bench_fuzz(args.cases, None if args.random_seed else args.seed, only, args.check_cases)


BENCHES: dict[str, Callable[[argparse.Namespace], dict]] = {
    "model": _model, "audio": _audio, "camera": _camera, "response": _response, "music": _music, "soak": _soak,
    "faults": _faults, "flood": _flood, "fuzz": _fuzz, "clock": _clock}
