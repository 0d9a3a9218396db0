"""A run's session folder: the rig's ``[sessions]``, the names of the files a run and a render write there, and
how a replay finds them.

`performer run` writes each run to a dated folder, ``sessions/2026-11-26T15-04-05-laptop/`` (``-2``, ``-3``, ...
when two runs of a rig start within the same second): the sensor log (session.jsonl, replayable), the notes
sent (notes.jsonl), the engine's health (health.jsonl), the scenes as they began (scenes.jsonl), Link's tempo if
a scene follows it (link.jsonl), and after the run notes.mid and summary.png. A render writes the same layout,
with audio.wav."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from pydantic import Field

from performer.config.base import Strict
from performer.config.reading import open_regular
from performer.config.session import MAX_LINE, MAX_SESSION_BYTES

SESSION, NOTES, HEALTH, SCENES, LINK = "session.jsonl", "notes.jsonl", "health.jsonl", "scenes.jsonl", "link.jsonl"
MIDI, SUMMARY, AUDIO = "notes.mid", "summary.png", "audio.wav"
STAMP = "%Y-%m-%dT%H-%M-%S"  # a folder's start, local time: sortable, and no colon (which some disks refuse)
DATED = re.compile(r"(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)-[A-Za-z0-9_-]{1,64}")


class SessionsConfig(Strict):
    """``[sessions]``: every run writes a dated folder inside ``folder`` (relative to the rig file, inside its
    root). When a run starts, and every ten minutes while it plays, folders older than ``keep_days`` are removed,
    then the oldest until all of them together are under ``max_mb``; a run whose own folder reaches ``max_mb``
    stops recording (one line; the show goes on). Only folders named and filled as a run's are ever removed."""

    enabled: bool = True
    folder: str = Field("sessions", min_length=1, max_length=1000)
    keep_days: float = Field(14.0, gt=0.0, le=36500.0)
    max_mb: float = Field(2048.0, ge=1.0, le=1e7)


def folder_name(rig: str, when: datetime, attempt: int = 1) -> str:
    """A run's folder name: its start and the rig's name (letters, digits, - and _ only), ``-N`` from the second
    attempt on (another run of the rig started within the same second)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", rig).strip("-")[:40] or "rig"
    return f"{when.strftime(STAMP)}-{slug}" + (f"-{attempt}" if attempt > 1 else "")


def started(name: str) -> datetime | None:
    """When the run of a folder named like ours started; None for any other name."""
    match = DATED.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), STAMP)
    except ValueError:  # 2026-13-45T...: named like ours, but not by us
        return None


def replay_files(path: str | Path) -> tuple[Path, Path | None]:
    """What ``performer render --replay`` reads: a session folder's session.jsonl, or the file named; and the
    Link log beside it (a folder's link.jsonl), if the run followed Link."""
    path = Path(path)
    session = path / SESSION if path.is_dir() else path
    link = session.parent / LINK
    return session, link if session.name == SESSION and link.is_file() else None


@dataclass(frozen=True)
class LinkSample:
    """Link's session as the conductor saw it at ``t`` (seconds into the show): its beat then, and its tempo."""

    t: float
    beat: float
    tempo: float


def read_link_log(path: Path, origin_clock: float | None = None) -> list[LinkSample]:
    """The samples of a link.jsonl, in time order. With the session's ``origin_clock`` (its header's ``clock``),
    each sample's time comes from its own ``clock``, so the samples of a restarted conductor fall where its
    segment does; malformed lines (a torn last line) are skipped."""
    samples = []
    for record in json_lines(path):
        clock, t = number(record.get("clock")), number(record.get("t"))
        at = clock - origin_clock if origin_clock is not None and clock is not None else t
        beat, tempo = number(record.get("beat")), number(record.get("tempo"))
        if at is not None and beat is not None and tempo is not None and 20.0 <= tempo <= 999.0:
            samples.append(LinkSample(at, beat, tempo))
    return sorted(samples, key=lambda s: s.t)


def json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a file of JSON lines (lines and files bounded as a session's are), skipping what does
    not parse (a line torn by a killed process); a missing or unreadable file has none."""
    try:
        handle = open_regular(path, "file")
    except (OSError, ValueError):
        return
    with handle:
        total = 0
        for raw in iter(lambda: handle.readline(MAX_LINE + 1), b""):
            total += len(raw)
            if total > MAX_SESSION_BYTES:
                return
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            if isinstance(record, dict):
                yield record


def number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else, NaN, or a size no time or count of ours has."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e12:
        return float(value)
    return None
