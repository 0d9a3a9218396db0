"""Sub-commands for the model's life cycle: prep (data), train, and bench."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_EVENTS = Path("cache/events.npz")



def _prep(args: argparse.Namespace) -> int:
    from performer.data.prep import prep

    out = Path(args.out) if args.out else (DEFAULT_EVENTS if args.midi is None else Path("cache/user-events.npz"))
    events = prep(out, Path(args.cache), Path(args.midi) if args.midi else None, args.seed, args.workers, args.limit)
    print(f"{out}: {events.summary()}; split in {out.with_suffix('.split.json')}")
    return 0


def _train(args: argparse.Namespace) -> int:
    """Train from scratch, or with --init fine-tune (train.finetuning's settings); an option given wins over both."""
    from performer.generate.model.train import TrainConfig, finetuning, train

    config = TrainConfig(events=Path(args.events), out=Path(args.out), checkpoint=Path(args.checkpoint),
                         seed=args.seed, init=Path(args.init) if args.init else None, threads=args.threads)
    if config.init:
        config = finetuning(config)
    given = {"minutes": args.minutes, "steps": args.steps, "lr": args.lr, "played_share": args.played_share}
    for name, value in given.items():
        if value is not None:
            setattr(config, name, value)
    print(train(config))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from performer.bench.cli import run_bench

    return run_bench(args)


def add_model_commands(sub: argparse._SubParsersAction) -> None:
    """Register prep, train and bench on the top-level parser."""
    prep = sub.add_parser("prep", help="parse the training corpus (or your .mid folder) into a cached event file")
    prep.add_argument("--midi", metavar="DIR", help="a folder of .mid files to prepare instead of the corpus")
    prep.add_argument("--out", metavar="FILE", help=f"event file (default {DEFAULT_EVENTS})")
    prep.add_argument("--cache", default="cache", metavar="DIR", help="where per-file parses are kept")
    prep.add_argument("--seed", type=int, default=1, help="seed of the train/valid/test split by piece")
    prep.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    prep.add_argument("--limit", type=int, help="parse only the first N files (for a quick try)")
    prep.set_defaults(func=_prep)

    train = sub.add_parser("train", help="train the note model on a prepared event file")
    train.add_argument("--events", default=str(DEFAULT_EVENTS), metavar="FILE")
    train.add_argument("--out", default="performer/generate/model/weights.pt", metavar="FILE",
                       help="state_dict to write")
    train.add_argument("--checkpoint", default="cache/train-checkpoint.pt", metavar="FILE",
                       help="resumable checkpoint, picked up if it exists")
    train.add_argument("--minutes", type=float, help="training time budget (default 88; 15 with --init)")
    train.add_argument("--steps", type=int,
                       help="optimizer steps, which set the learning-rate schedule (default 6000; 900 with --init)")
    train.add_argument("--seed", type=int, default=1)
    train.add_argument("--init", metavar="FILE", help="start from these weights (fine-tuning)")
    train.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    train.add_argument("--lr", type=float, help="peak learning rate (default 3e-3; 1e-3 with --init)")
    train.add_argument("--played-share", type=float, metavar="SHARE",
                       help="share of windows made to look played (default 0.5; 0 with --init)")
    train.set_defaults(func=_train)

    bench = sub.add_parser("bench", help="measure against the issue targets and write JSON")
    bench.add_argument("what", choices=["model", "music", "audio", "camera", "response", "soak", "faults", "flood",
                                        "fuzz", "clock", "all"])
    bench.add_argument("--json", metavar="FILE", help="write the result object here (default: stdout)")
    bench.add_argument("--events", default=str(DEFAULT_EVENTS), metavar="FILE")
    bench.add_argument("--weights", default="performer/generate/model/weights.pt", metavar="FILE")
    bench.add_argument("--seconds", type=float, default=60.0, help="audio: length of each JACK xrun trial")
    bench.add_argument("--latency-notes", type=int, default=100, help="audio: keys played for MIDI-to-audio")
    bench.add_argument("--generator", choices=["model", "rules"], default="model", help="response: what plays")
    bench.add_argument("--curve-seconds", type=float, default=60.0,
                       help="response: length of the live run at each lookahead of the curve")
    bench.add_argument("--live-seconds", type=float, default=600.0,
                       help="response and flood: length of the live run (for response, at the lookahead "
                            "chosen from the curve)")
    bench.add_argument("--soak-hours", type=float, default=24.0, help="soak: hours of the gallery's show")
    bench.add_argument("--offline-only", action="store_true", help="response: skip the JACK half")
    bench.add_argument("--finetune-midi", metavar="DIR",
                       help="model: a folder of performed .mid files to fine-tune on (default: ten MAESTRO "
                            "performances, fetched with pip into cache/performed)")
    bench.add_argument("--finetune-minutes", type=float, default=12.0, help="model: fine-tuning time budget")
    bench.add_argument("--clock-seconds", type=float, default=30.0,
                       help="clock: length of the live run at each tempo (120 and 97 bpm)")
    bench.add_argument("--music-seconds", type=float, default=120.0, help="music: length of each scene's run")
    bench.add_argument("--music-seeds", type=int, default=5, help="music: runs (seeds) of each scene")
    bench.add_argument("--cases", type=int, default=100_000,
                       help="fuzz: cases in all, shared evenly by the targets (but check)")
    bench.add_argument("--check-cases", type=int, default=200,
                       help="fuzz: files run through `performer check`, each in a process of its own")
    bench.add_argument("--seed", type=int, default=0, help="fuzz: the same seed draws the same cases")
    bench.add_argument("--random-seed", action="store_true", help="fuzz: draw a fresh seed (the JSON says which)")
    bench.add_argument("--only", metavar="NAMES",
                       help="fuzz: these targets only, comma-separated (rig, scene, show, toml, session, midi, "
                            "thru, osc, gate, check)")
    bench.set_defaults(func=_bench)
