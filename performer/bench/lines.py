"""Statistics of a melodic line, the same for generated lines and real melodies from the corpus: how often it
leaps and steps, whether a 4-bar span comes back (repeated or transposed), and how often a 4-note pattern recurs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

SPAN_BARS = 4  # a phrase
LINE_BARS = 16  # a line: four phrases
MATCH = 0.75  # share of a span's notes that must come back (same place, same interval from the shift) to count
GRID = 12  # onsets compared in twelfths of a beat
LEAP = 7  # semitones: a fifth or more
STEP = (1, 2)


@dataclass(frozen=True)
class Line:
    """Onsets in beats (ascending, 0 on a downbeat) and MIDI pitches of one monophonic line, in its meter."""

    onset: np.ndarray
    pitch: np.ndarray
    bar_len: float = 4.0

    @property
    def span_beats(self) -> float:
        return SPAN_BARS * self.bar_len


def interval_shares(lines: list[Line]) -> dict[str, float]:
    """Share of melodic intervals that are leaps (≥ LEAP semitones) and steps (1–2), over all lines."""
    intervals = np.concatenate([np.abs(np.diff(line.pitch)) for line in lines if len(line.pitch) > 1])
    moving = intervals[intervals > 0] if len(intervals) else intervals
    total = max(1, len(intervals))
    return {"leap_share": round(float((intervals >= LEAP).sum()) / total, 4),
            "step_share": round(float(np.isin(intervals, STEP).sum()) / total, 4),
            "repeated_note_share": round(float((intervals == 0).sum()) / total, 4),
            "moving_intervals": int(len(moving))}


def _span_notes(line: Line, start: float) -> set[tuple[int, int]]:
    """(onset in twelfths from the span start, pitch) of the notes in one span."""
    inside = (line.onset >= start - 1e-6) & (line.onset < start + line.span_beats - 1e-6)
    return {(int(round((o - start) * GRID)), int(p)) for o, p in zip(line.onset[inside], line.pitch[inside])}


def span_returns(line: Line, start: float, earlier: float) -> bool:
    """Whether the span at ``start`` repeats the one at ``earlier``, exactly or moved by one transposition:
    at least MATCH of the larger span's notes fall at the same place with the same shift."""
    a, b = _span_notes(line, start), _span_notes(line, earlier)
    if len(a) < 3 or len(b) < 3:
        return False
    places_b: dict[int, list[int]] = {}
    for place, pitch in b:
        places_b.setdefault(place, []).append(pitch)
    shifts = Counter(pa - pb for place, pa in a for pb in places_b.get(place, ()))
    if not shifts:
        return False
    return shifts.most_common(1)[0][1] >= MATCH * max(len(a), len(b))


def has_returning_span(line: Line, line_start: float = 0.0) -> bool:
    """Whether any bar-aligned 4-bar span of the 16-bar line from ``line_start`` returns to an earlier one."""
    starts = [line_start + k * line.span_beats for k in range(LINE_BARS // SPAN_BARS)]
    return any(span_returns(line, s, e) for i, s in enumerate(starts) for e in starts[:i])


def phrase_repeat_share(lines: list[Line]) -> float:
    """Share of 16-bar lines (each line cut into consecutive 16-bar lines) with a returning 4-bar span."""
    verdicts = []
    for line in lines:
        if not len(line.onset):
            continue
        length = LINE_BARS * line.bar_len
        for start in np.arange(0.0, float(line.onset[-1]) - length / 2, length):
            verdicts.append(has_returning_span(line, float(start)))
    return round(float(np.mean(verdicts)), 4) if verdicts else float("nan")


def motif_recurrence(lines: list[Line], size: int = 4) -> tuple[float, float]:
    """Share of ``size``-note pitch patterns that already occurred earlier in the same line, and the share
    expected by chance (the same line's pitches shuffled), averaged over lines."""
    seen_share, chance_share = [], []
    rng = np.random.default_rng(0)
    for line in lines:
        if len(line.pitch) < 2 * size:
            continue
        seen_share.append(_recurring(line.pitch, size))
        chance_share.append(_recurring(rng.permutation(line.pitch), size))
    return round(float(np.mean(seen_share)), 4), round(float(np.mean(chance_share)), 4)


def _recurring(pitch: np.ndarray, size: int) -> float:
    seen: set[tuple[int, ...]] = set()
    hits = 0
    patterns = [tuple(int(p) for p in pitch[i:i + size]) for i in range(len(pitch) - size + 1)]
    for pattern in patterns:
        hits += pattern in seen
        seen.add(pattern)
    return hits / len(patterns)
