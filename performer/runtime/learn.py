"""`performer learn RIG SIGNAL`: bind the next control moved on the rig's MIDI inputs to a signal name, written
into the rig file's ``[midi.learned]`` table (comments and layout kept), so scenes can map the name."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import tomlkit

from performer.config.loading import load_rig
from performer.errors import ConfigError, DeviceError
from sensors.events import is_signal_name
from sensors.midi import source_of
from sensors.midiports import NoMidi, PolledInputs


def learn(args: argparse.Namespace) -> int:
    """Wait for a control, then bind it; exit 1 if none moved in time."""
    loaded = load_rig(args.rig)
    if not is_signal_name(args.signal):
        raise ConfigError(args.signal, "", "expected a signal name like stage/filter (lower case, two or more parts)")
    midi = loaded.rig.midi
    try:
        inputs = PolledInputs(midi.api.value, [spec.port for spec in midi.inputs], "performer-learn")
    except NoMidi as err:
        raise DeviceError(str(err)) from err
    try:
        print(f"performer: move a control for {args.signal} (listening to {', '.join(inputs.ports) or 'nothing'})",
              flush=True)
        source = _next_control(inputs, args.wait)
    finally:
        inputs.close()
    if source is None:
        print(f"performer: no control moved within {args.wait:g} s; nothing bound")
        return 1
    bind(loaded.path, args.signal, source)
    print(f"performer: {args.signal} <- {source} (written to {loaded.path})")
    return 0


def _next_control(inputs: PolledInputs, wait: float) -> str | None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for message in inputs.poll():
            source = source_of(message)
            if source is not None:
                return source
        time.sleep(0.005)
        inputs.rescan()
    return None


def bind(rig: Path, signal: str, source: str) -> None:
    """Write ``signal = source`` into the rig's ``[midi.learned]``, replacing an earlier binding of either."""
    document = tomlkit.parse(rig.read_text())
    midi = document.setdefault("midi", tomlkit.table())
    learned = midi.setdefault("learned", tomlkit.table())
    for name in [n for n, s in learned.items() if s == source and n != signal]:
        del learned[name]  # one control, one name
    learned[signal] = source
    rig.write_text(tomlkit.dumps(document))
