"""A render's folder in a run's layout (performer/config/sessionfolder.py): the session it replayed (session.jsonl,
and link.jsonl if the run followed Link), notes.jsonl and scenes.jsonl as a live run writes them, beside the
render's notes.mid, summary.png and audio.wav. So a render and the run it replays can be compared file by file,
and a render's folder replays again."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from performer.config.scene import SceneSpec
from performer.config.session import Session, read_session
from performer.config.sessionfolder import LINK, NOTES, SCENES, SESSION, LinkSample, read_link_log, replay_files
from performer.errors import ConfigError
from performer.show.conductor import Trace


@dataclass
class Replay:
    """What a render replays: the session, Link's recorded tempo if the run followed it, and the files read."""

    session: Session
    link: list[LinkSample] = field(default_factory=list)
    source: Path | None = None  # the session file
    link_source: Path | None = None


def read_replay(path: str | Path) -> Replay:
    """A session file, or a run's folder: its session.jsonl and, if there, its link.jsonl."""
    source, link = replay_files(path)
    session = read_session(source)
    origin = session.header.get("clock")
    origin = float(origin) if isinstance(origin, (int, float)) and not isinstance(origin, bool) else None
    samples = read_link_log(link, origin) if link is not None else []
    return Replay(session, samples, source, link if samples else None)


def check_out(replay: Replay, out: Path) -> None:
    """A render must not write over the live run it replays (its notes.jsonl, notes.mid and summary.png)."""
    if replay.source is not None and (out / SESSION).resolve() == replay.source.resolve():
        raise ConfigError("--out", "", f"{out} is the folder of the run being replayed; its notes and summary are "
                                       f"the live run's: expected another folder")


def write_layout(out: Path, replay: Replay, trace: Trace, start: float, scenes: dict[str, SceneSpec]) -> None:
    """The replayed session (and Link log) copied, and the render's notes and scene marks as a run logs them, with
    times from the show's start."""
    for source, name in ((replay.source, SESSION), (replay.link_source, LINK)):
        if source is not None and (out / name).resolve() != source.resolve():
            shutil.copyfile(source, out / name)
    with open(out / NOTES, "w", encoding="utf-8") as notes:
        for n in trace.notes:
            notes.write(json.dumps({"t": round(n.start - start, 6), "duration": round(n.duration, 6),
                                    "pitch": n.pitch, "velocity": n.velocity, "voice": n.voice,
                                    "instrument": n.instrument, "channel": n.channel}) + "\n")
    with open(out / SCENES, "w", encoding="utf-8") as marks:
        for t, name in trace.scenes:
            follows = bool(replay.link) and scenes[name].link
            tempo = _link_tempo(replay.link, t - start) if follows else scenes[name].tempo
            marks.write(json.dumps({"t": round(t - start, 6), "scene": name, "tempo": tempo, "link": follows}) + "\n")


def tempi(replay: Replay, trace: Trace, start: float, scenes: dict[str, SceneSpec]) -> list[tuple[float, float]]:
    """The render's tempo changes (for notes.mid): each scene's tempo, and while a scene follows the recorded
    Link session, the session's."""
    changes = []
    marks = trace.scenes + [(float("inf"), "")]
    for (t, name), (until, _) in zip(marks, marks[1:]):
        if not (replay.link and scenes[name].link):
            changes.append((t, scenes[name].tempo))
            continue
        changes.append((t, _link_tempo(replay.link, t - start)))
        changes += [(s.t + start, s.tempo) for s in replay.link if t < s.t + start < until]
    return changes


def _link_tempo(samples: list[LinkSample], t: float) -> float:
    """The recorded Link tempo at ``t`` seconds into the show."""
    return next((s.tempo for s in reversed(samples) if s.t <= t), samples[0].tempo)
