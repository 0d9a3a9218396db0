"""The session fuzzer: a session file of any bytes, of JSON lines with wrong or absurd fields, or the demo session
mutated, read by ``read_session`` (its public function only: its module is still growing).

It must give a Session a render can use (events in time order, valid names and finite numbers, a player's key
as MIDI bytes, a finite duration), or a ConfigError of one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import mido
from hypothesis import strategies as st

from performer.bench.fuzz.checks import check_event, is_name, refused
from performer.bench.fuzz.runner import Crash, Target
from performer.bench.fuzz.tomltext import mutated_bytes
from performer.config.session import Session, read_session
from performer.errors import ConfigError
from sensors.events import PlayerMidi, ReleaseEvent

DEMO = "rigs/sessions/laptop-demo.jsonl"
MAX_SECONDS = 1e8  # the longest session a render may be asked for: three years, as long as an event's time may be


def numbers() -> st.SearchStrategy[Any]:
    """Times and values: sensible, absurd, and of the wrong type."""
    return st.one_of(st.floats(0, 100), st.floats(allow_nan=False, allow_infinity=False), st.integers(),
                     st.integers(1 << 1023, 10 ** 400).map(lambda n: -n if n % 2 else n),  # past any float
                     st.sampled_from([True, None, "1.5", [], {}, 1e8, -1e8, 1e300]))


def records() -> st.SearchStrategy[dict[str, Any]]:
    """One line's object: a control, cue, release, key or header, mostly sound, with any field wrong now and then
    (a file is refused at its first bad line, so most lines must be good for the later ones to be read)."""
    text = st.one_of(st.text(max_size=12), st.sampled_from(["midi/cc/1", "hand/left", "a/b\n", "next", "x" * 300]))
    sound = {"t": st.floats(0, 100), "signal": st.sampled_from(["midi/cc/1", "osc/fader/2", "hand/left/x"]),
             "value": st.floats(0, 1), "cue": st.sampled_from(["next", "Dawn", "#1"]),
             "release": st.sampled_from(["hand/left", "audience"]), "segment": st.floats(0, 100),
             "midi": st.sampled_from([[144, 60, 100], [128, 60, 0], [176, 64, 127]]), "performer_session": st.just(1),
             "duration": st.floats(0, 100), "rig": text}
    wrong = {"signal": text, "cue": text, "release": text, "midi": st.lists(st.integers(-2, 300), max_size=4),
             "duration": text, "rig": numbers()}
    fields = {k: st.one_of(v, v, v, v, v, wrong.get(k, numbers())) for k, v in sound.items()}
    kinds = [("t", "signal", "value"), ("t", "cue"), ("t", "release"), ("t", "midi"), ("performer_session",),
             ("performer_session", "segment"), ("performer_session", "duration")]
    extra = st.dictionaries(st.sampled_from(list(fields)), numbers(), max_size=1)
    return st.tuples(st.sampled_from(kinds).flatmap(lambda keys: st.fixed_dictionaries({k: fields[k] for k in keys})),
                     st.sampled_from([{}] * 5) | extra).map(lambda parts: {**parts[0], **parts[1]})


def line() -> st.SearchStrategy[bytes]:
    """One line: JSON of a record, or what JSON lines must not hold."""
    raw = st.sampled_from([b"NaN", b"Infinity", b"-1e400", b'{"t": 1e400, "cue": "x"}', b"[" * 3000, b"{" * 2000,
                           b"x" * 5000, b"", b"\x00", b"\xff\xfe", b'"\\ud800"', b"1" * 5000, b"{}", b"null",
                           b'{"t": 1, "signal": "a/b", "value": NaN}'])
    encoded = records().map(lambda r: json.dumps(r).encode())
    return st.one_of(encoded, encoded, encoded, encoded, raw, st.binary(max_size=40))


def session_bytes(demo: bytes) -> st.SearchStrategy[bytes]:
    """A whole file: a header (mostly) and lines, joined by LF or CRLF; any bytes; or the demo session mutated."""
    header = st.just(b'{"performer_session": 1, "duration": 10.0}') | line()
    lines = st.tuples(header, st.lists(line(), max_size=12), st.sampled_from([b"\n", b"\r\n"]))
    built = lines.map(lambda parts: parts[2].join([parts[0], *parts[1]]))
    return st.one_of(built, built, st.binary(max_size=400), mutated_bytes([demo]))


def check_session(session: Session) -> str:
    """A session a render can use."""
    duration = session.duration  # the header's, read as float(): it must be a number a render can reach
    if not isinstance(duration, float) or not abs(duration) <= MAX_SECONDS:
        raise Crash(f"a session whose duration is {duration!r}")
    times = [e.t for e in session.events]
    if times != sorted(times):
        raise Crash("events out of time order")
    for event in session.events:
        check_event(event, unit=False)  # the bus clamps a recorded value to 0..1 and counts it
        if isinstance(event, ReleaseEvent) and not is_name(event.prefix + "/x"):
            raise Crash(f"a release of {event.prefix!r}, not a signal prefix")
        if isinstance(event, PlayerMidi):
            check_key(event)
    return "loaded"


def check_key(event: PlayerMidi) -> None:
    """A player's key in a session is what the live path records: a MIDI note or sustain pedal message."""
    try:
        message = mido.Message.from_bytes(list(event.data))
    except ValueError:
        raise Crash(f"a player's key that is not a MIDI message: {list(event.data)}") from None
    if message.type not in ("note_on", "note_off", "control_change"):
        raise Crash(f"a player's key that is a {message.type}: {list(event.data)}")


def session_check(path: Path) -> Callable[[bytes], str]:
    """A check that writes the case to ``path`` and reads it as a session."""

    def check(data: bytes) -> str:
        path.write_bytes(data)
        try:
            session = read_session(path)
        except ConfigError as err:
            return refused(err, [str(path)])
        return check_session(session)

    return check


def session_targets(base: Path, root: Path) -> list[Target]:
    """The session reader's target, over ``base``/session.jsonl, from ``root``'s demo session."""
    demo = (root / DEMO).read_bytes()
    return [Target("session", session_bytes(demo), session_check(base / "session.jsonl"))]
