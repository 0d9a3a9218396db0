"""`performer bench WHAT --json FILE`: measurements against the issue targets, as one JSON object.

Each bench runs single-threaded where it says so: the thread caps are set before numpy or torch load."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from performer.runtime.threads import SINGLE_THREAD


def run_bench(args: argparse.Namespace) -> int:
    """Run one bench, print its result and write it to --json."""
    if "numpy" in sys.modules and any(os.environ.get(k) != v for k, v in SINGLE_THREAD.items()):
        raise RuntimeError("numpy loaded before the bench could cap its threads; the figures would be wrong")
    os.environ.update(SINGLE_THREAD)
    if args.what == "model":
        from performer.bench.model import bench_model

        folder = Path(args.finetune_midi) if args.finetune_midi else None
        result = bench_model(Path(args.weights), Path(args.events), folder, args.finetune_minutes)
    elif args.what == "audio":
        from performer.bench.audio import bench_audio
        from synthesis.settings import AudioSettings

        result = bench_audio(AudioSettings(), seconds=args.seconds, latency_notes=args.latency_notes)
    elif args.what == "response":
        from performer.bench.response import bench_response

        result = bench_response(args.generator)
        if not args.offline_only:
            from performer.bench.live import bench_live

            result.update(bench_live(args.curve_seconds, args.live_seconds))
    elif args.what == "music":
        from performer.bench.music import bench_music

        result = bench_music(Path(args.weights), Path(args.events), args.music_seconds, args.music_seeds)
    elif args.what == "camera":
        from performer.bench.camera import bench_camera

        result = bench_camera()
    elif args.what == "flood":
        from performer.bench.flood import bench_flood

        result = bench_flood(args.live_seconds)
    elif args.what == "faults":
        from performer.bench.faults import bench_faults

        result = bench_faults()
    elif args.what == "fuzz":
        from performer.bench.fuzz.bench import bench_fuzz

        only = [name for name in args.only.split(",") if name] if args.only else []
        result = bench_fuzz(args.cases, None if args.random_seed else args.seed, only, args.check_cases)
    else:
        raise ValueError(args.what)
    text = json.dumps(result, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)
    return 0
