"""The ``performer`` command: check, render and run rigs."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Callable, Sequence

from performer.config.loading import LoadedRig, load_rig, load_show
from performer.config.warnings import rig_warnings
from performer.errors import ConfigError, PerformerError
from performer.model_cli import add_model_commands
from performer.monitor.command import add_monitor_command


def _is_scene(path: str) -> bool:
    """Whether a file reads as a scene (it has voices, and neither scenes nor a show): `check` then checks it as
    one rather than calling its tempo an unknown rig field. Anything unreadable is left to load_rig's one line."""
    from performer.config.reading import read_toml

    try:
        data = read_toml(Path(path))
    except ConfigError:
        return False
    return "voices" in data and "scenes" not in data and "show" not in data


def _check_scene(path: str) -> int:
    from performer.config.loading import load_scene
    from performer.config.warnings import scene_warnings

    spec = load_scene(Path(path))
    print(f"{path}: ok, scene {spec.name!r}, {len(spec.voices)} voice(s): {', '.join(v.name for v in spec.voices)}")
    for warning in scene_warnings(spec, path):
        print(f"warning: {warning}")
    return 0


def _check_weights(loaded: LoadedRig) -> str:
    """What plays the rig's notes; weights a run would refuse (and so play the rule-based fallback) are an
    error here, naming the rig's field."""
    model = loaded.rig.model
    if model.generator.value != "model":
        return "the rule-based generator"
    from performer.generate.factory import weights_path
    from performer.generate.model.weights import WeightsError, load_weights

    path = weights_path(model, loaded.path.parent)
    try:
        weights = load_weights(path)
    except WeightsError as error:
        raise ConfigError(str(loaded.path), "model.weights", f"{error}; a run would play the rule-based "
                                                             f"fallback") from None
    return f"model {path.name} ({weights.layers}x{weights.hidden} GRU)"


def _check(args: argparse.Namespace) -> int:
    if _is_scene(args.rig):
        return _check_scene(args.rig)
    if args.rig.endswith(".show.toml"):
        loaded = load_show(args.rig)
        scenes = ", ".join(f"{s.name} ({p})" for s, p in zip(loaded.scenes, loaded.scene_paths))
        print(f"{loaded.path}: ok, show of {len(loaded.scenes)} scene(s), {'looping' if loaded.loop else 'once'}: "
              f"{scenes}")
        return 0
    loaded = load_rig(args.rig)
    scenes = ", ".join(f"{s.name} ({p})" for s, p in zip(loaded.scenes, loaded.scene_paths))
    print(f"{loaded.path}: ok, rig {loaded.rig.name!r}, {len(loaded.scenes)} scene(s): {scenes}, "
          f"{_check_weights(loaded)}")
    for warning in rig_warnings(loaded):
        print(f"warning: {warning}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from performer.offline.layout import read_replay
    from performer.offline.render import render

    loaded = load_rig(args.rig)
    print(render(loaded, read_replay(args.replay), Path(args.out)).report())
    return 0


def _run(args: argparse.Namespace) -> int:
    from performer.runtime.supervisor import run_rig

    return run_rig(load_rig(args.rig), args)


def _soak(args: argparse.Namespace) -> int:
    from datetime import datetime

    from performer.bench.cli import report
    from performer.config.session import read_session
    from performer.offline.soak import DEFAULT_START, soak

    loaded = load_rig(args.rig)
    session = read_session(args.replay) if args.replay else None
    try:
        start = datetime.fromisoformat(args.start or DEFAULT_START)
    except ValueError:
        raise ConfigError("--start", "", f"expected a date and time like 2026-11-24T08:00, got {args.start!r}") \
            from None
    report(soak(loaded, args.hours, start, args.seed, session).as_json(), args.json)
    return 0


def _sense(args: argparse.Namespace) -> int:
    from performer.runtime.sensenode import sense

    return sense(load_rig(args.rig), args.to, args.node)


def _devices(args: argparse.Namespace) -> int:
    from performer.runtime.devices import listing

    print(listing())
    return 0


def _learn(args: argparse.Namespace) -> int:
    from performer.runtime.learn import learn

    return learn(args)


def _conduct(args: argparse.Namespace) -> int:
    from performer.runtime.conductor_process import conduct_live
    from performer.runtime.handshake import Announcer

    announcer = Announcer.from_env()
    try:
        loaded = load_rig(args.rig)
    except ConfigError as err:
        announcer.failed("config", str(err))
        raise
    return conduct_live(loaded, args, announcer)


def parser() -> argparse.ArgumentParser:
    """The command line, one sub-command per job."""
    top = argparse.ArgumentParser(prog="performer", description=__doc__)
    top.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = top.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate a rig (or a show file, *.show.toml) and every scene it uses")
    check.add_argument("rig")
    check.set_defaults(func=_check)

    render = sub.add_parser("render", help="render a recorded session offline")
    render.add_argument("rig")
    render.add_argument("--replay", required=True, metavar="SESSION",
                        help="a session file (JSON lines), or a run's session folder (its session.jsonl, and its "
                             "link.jsonl if the run followed Link)")
    render.add_argument("--out", required=True, metavar="DIR")
    render.set_defaults(func=_render)

    run = sub.add_parser("run", help="play a rig live")
    run.add_argument("rig")
    run.add_argument("--record", metavar="SESSION",
                     help="record every bus event and cue to this session file (appended to, as a new segment)")
    run.add_argument("--notes-log", metavar="FILE", help="log every note sent to the engine (JSON lines, appended)")
    run.add_argument("--duration", type=float, help="stop after this many seconds")
    run.add_argument("--fallback-render", metavar="DIR",
                     help="with no audio output device, render the rig's demo session to DIR instead")
    run.add_argument("--hold", metavar="SCENE", help="rehearsal: play SCENE over and over (GO restarts it)")
    run.add_argument("--session-dir", metavar="DIR", help="keep this run's dated session folder in DIR (instead "
                                                          "of the rig's [sessions] folder)")
    run.add_argument("--no-session", action="store_true", help="write no session folder for this run")
    run.set_defaults(func=_run)

    conduct = sub.add_parser("conduct", help=argparse.SUPPRESS)  # the conductor process, started by `run`
    conduct.add_argument("rig")
    conduct.add_argument("--engine-port", type=int, required=True)
    conduct.add_argument("--health-port", type=int, default=0)
    conduct.add_argument("--record")
    conduct.add_argument("--notes-log")
    conduct.add_argument("--hold")
    conduct.add_argument("--session-dir", help="the run's session folder, which the conductor writes into")
    conduct.add_argument("--state", help="where the show's position is kept for a restart")
    conduct.add_argument("--resume", action="store_true", help="begin where --state says (a restart)")
    conduct.add_argument("--camera-channel", default="", help="the socket the rig's cameras send to")
    conduct.add_argument("--keys", action="store_true", help="read the monitor's keys on stdin")
    conduct.set_defaults(func=_conduct)
    soak = sub.add_parser("soak", help="run a rig's show offline for hours of its time, as fast as it goes, and "
                                       "report memory growth, stuck notes, exceptions and schedule errors")
    soak.add_argument("rig")
    soak.add_argument("--hours", type=float, default=24.0)
    soak.add_argument("--start", help="the calendar's start, like 2026-11-24T08:00 (default a Tuesday 08:00)")
    soak.add_argument("--seed", type=int, default=0, help="the generated room's visitors")
    soak.add_argument("--replay", metavar="SESSION", help="loop a recorded session instead of a generated room")
    soak.add_argument("--json", metavar="FILE")
    soak.set_defaults(func=_soak)
    sense = sub.add_parser("sense", help="a sensor node: run the rig's cameras that name this machine as their "
                                         "node, sending to the conductor's OSC port on another machine")
    sense.add_argument("rig")
    sense.add_argument("--to", required=True, metavar="HOST:PORT", help="the conductor's [osc] host and port")
    sense.add_argument("--node", default="", metavar="ADDRESS",
                       help="this machine's address, if the rig's cameras run on several machines")
    sense.set_defaults(func=_sense)
    devices = sub.add_parser("devices", help="list audio outputs, MIDI ports and cameras, with the rig line for each")
    devices.set_defaults(func=_devices)
    learn = sub.add_parser("learn", help="bind the next MIDI control moved to a signal name in the rig")
    learn.add_argument("rig")
    learn.add_argument("signal", help="the name scenes will map, e.g. stage/filter")
    learn.add_argument("--wait", type=float, default=30.0, help="seconds to wait for a control")
    learn.set_defaults(func=_learn)
    add_monitor_command(sub)
    add_model_commands(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a sub-command, turning expected errors into one line and an exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="performer: %(message)s", stream=sys.stderr)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as err:  # it names the file itself
        print(err, file=sys.stderr)
        return err.exit_code
    except PerformerError as err:
        print(f"performer: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
