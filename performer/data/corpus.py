"""Read music21's bundled corpus into part note tables: ties merged, chords split, velocity derived where absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from performer.data.parts import PartNotes, derived_velocity

# Collections used, and why some are not: see docs/model.md.
COLLECTIONS = (
    "bach", "palestrina", "ryansMammoth", "oneills1850", "airdsAirs", "beethoven", "monteverdi", "mozart",
    "haydn", "josquin", "trecento", "schumann_robert", "schumann_clara", "corelli", "cpebach", "handel",
    "schubert", "chopin", "joplin", "beach", "weber", "verdi", "luca", "lusitano", "ciconia", "miscFolk",
    "johnson_j_r", "liliuokalani",
)
EXCLUDED = {
    "essenFolksong": "licensed for non-commercial use only",
    "demos": "test material, not repertoire",
    "theoryExercises": "exercises, not repertoire",
    "leadSheet": "chord symbols only",
    "nottingham-dataset": "a pointer to an external download",
    "schoenberg": "too few notes to matter", "webern": "too few notes to matter",
}
SKIP_SUFFIXES = {".rntxt"}  # roman-numeral analyses: chord labels, not notes
DEFAULT_DYNAMIC = 0.55  # mezzo-forte, where a score gives no dynamics
MAX_VOICE = 3


def corpus_root() -> Path:
    """The folder of music21's bundled corpus."""
    import music21

    return Path(music21.__file__).parent / "corpus"


def corpus_files(collections: tuple[str, ...] = COLLECTIONS) -> list[Path]:
    """Every score file of the chosen collections, largest first so parallel workers finish together."""
    from music21 import corpus

    root = corpus_root()
    files = [Path(p) for p in corpus.getPaths()
             if Path(p).relative_to(root).parts[0] in collections and Path(p).suffix not in SKIP_SUFFIXES]
    return sorted(files, key=lambda p: (-p.stat().st_size, str(p)))


def read_corpus_file(path: Path) -> list[PartNotes]:
    """All parts of all pieces in one corpus file (an ABC book holds many tunes)."""
    from music21 import converter, stream

    parsed = converter.parse(str(path))
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    name = str(path.relative_to(corpus_root()))
    parts: list[PartNotes] = []
    for index, score in enumerate(scores):
        piece = name if len(scores) == 1 else f"{name}#{index}"
        for voice, part in enumerate(_score_parts(score)):
            table = _part_table(part)
            if len(table):
                parts.append(PartNotes(piece=piece, voice=min(voice, MAX_VOICE), table=table))
    return parts


def _score_parts(score) -> list:
    from music21 import stream

    parts = list(score.parts) if isinstance(score, stream.Score) else []
    return parts or [score]


def _part_table(part) -> np.ndarray:
    """Rows of (onset, duration, pitch, velocity, bar_pos, bar_len) for one part; tied notes become one."""
    from music21 import stream

    rows: list[list[float]] = []
    tied: dict[int, int] = {}  # pitch -> row of the note a tie continues
    dynamic = [DEFAULT_DYNAMIC]
    measures = list(part.getElementsByClass(stream.Measure)) or [part]
    for measure in measures:
        start = float(measure.offset) if measure is not part else 0.0
        bar_len = _bar_length(measure)
        pad = float(getattr(measure, "paddingLeft", 0.0) or 0.0)
        for container in [measure, *measure.getElementsByClass(stream.Voice)]:
            base = start + (float(container.offset) if container is not measure else 0.0)
            for element in container.getElementsByClass(("Note", "Chord", "Dynamic")):
                _add_element(element, base, start, pad, bar_len, dynamic, rows, tied)
    table = np.array(rows, dtype=np.float32).reshape(-1, 6)
    order = np.lexsort((-table[:, 2], table[:, 0]))
    return table[order]


def _add_element(element, base: float, bar_start: float, pad: float, bar_len: float, dynamic: list[float],
                 rows: list[list[float]], tied: dict[int, int]) -> None:
    """Append one note or chord (a row per pitch), merging tie continuations; track the dynamic mark."""
    if element.classes[0] == "Dynamic":
        dynamic[0] = element.volumeScalar if element.volumeScalar is not None else dynamic[0]
        return
    duration = float(element.quarterLength)
    if duration <= 0:  # grace notes take no time in the score
        return
    onset = base + float(element.offset)
    bar_pos = (onset - bar_start + pad) % bar_len if bar_len > 0 else 0.0
    velocity = _velocity(element, dynamic[0], bar_pos, bar_len)
    notes = element.notes if element.classes[0] == "Chord" else (element,)
    for note in notes:
        pitch = note.pitch.midi
        tie = (note.tie or element.tie)
        kind = tie.type if tie is not None else None
        if kind in ("stop", "continue") and pitch in tied:
            rows[tied[pitch]][1] = onset + duration - rows[tied[pitch]][0]
            if kind == "stop":
                del tied[pitch]
            continue
        rows.append([onset, duration, pitch, velocity, bar_pos, bar_len])
        if kind in ("start", "continue"):
            tied[pitch] = len(rows) - 1


def _bar_length(measure) -> float:
    try:
        return float(measure.barDuration.quarterLength)
    except Exception:  # a stream without a time signature: assume 4/4
        return 4.0


def _velocity(element, dynamic: float, bar_pos: float, bar_len: float) -> int:
    velocity = getattr(element.volume, "velocity", None) if element.hasVolumeInformation() else None
    return int(velocity) if velocity else derived_velocity(dynamic, bar_pos, bar_len)
