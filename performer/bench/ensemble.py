"""How a scene's voices sound together, measured the same way on generated notes and on the corpus's multi-part
music: bass against melody, dissonant pairs, onsets that coincide, texture and the pad's chords, each beside its
chance value (the same voices with one moved by whole bars, so each keeps its own line but not its partners).

The first step of issue 15: what the ensemble does today, before choosing how voices should hear each other."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONSONANT = frozenset({0, 3, 4, 7, 8, 9})  # interval classes consonant against a bass (the fourth is not)
DISSONANT = frozenset({1, 6, 11})  # minor second, tritone, major seventh
GRID = 1 / 12  # beats: time is sampled on this grid, and onsets within it coincide


@dataclass(frozen=True)
class Part:
    """One voice's notes: onsets and ends in beats, MIDI pitches (chords allowed)."""

    start: np.ndarray
    end: np.ndarray
    pitch: np.ndarray

    def moved(self, beats: float, length: float) -> Part:
        """The part moved ``beats`` later, wrapped around ``length``: its line kept, its partners not."""
        return Part((self.start + beats) % length, (self.start + beats) % length + (self.end - self.start),
                    self.pitch)


def sounding(part: Part, times: np.ndarray) -> list[list[int]]:
    """The pitches the part sounds at each time (empty where it rests)."""
    order = np.argsort(part.start)
    start, end, pitch = part.start[order], part.end[order], part.pitch[order]
    out: list[list[int]] = []
    for t in times:
        live = (start <= t + 1e-9) & (end > t + 1e-9)
        out.append([int(p) for p in pitch[live]])
    return out


def bass_melody_consonance(parts: list[Part], length: float) -> float:
    """Share of the time both the lowest and the highest part sound in which their outer notes are consonant."""
    times = np.arange(0.0, length, GRID)
    low, high = sounding(parts[-1], times), sounding(parts[0], times)
    both = [(min(b), max(m)) for b, m in zip(low, high) if b and m]
    return float(np.mean([(m - b) % 12 in CONSONANT for b, m in both])) if both else float("nan")


def dissonant_share(parts: list[Part], length: float) -> float:
    """Share of sounding pairs of notes from different parts, over time, whose interval class is dissonant."""
    times = np.arange(0.0, length, GRID)
    heard = [sounding(p, times) for p in parts]
    pairs = dissonant = 0
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            for a, b in zip(heard[i], heard[j]):
                for x in a:
                    for y in b:
                        pairs += 1
                        dissonant += abs(x - y) % 12 in DISSONANT
    return dissonant / pairs if pairs else float("nan")


def onset_coincidence(parts: list[Part]) -> float:
    """Share of onsets (one per distinct onset of a part) that another part also starts within GRID / 2."""
    onsets = [np.unique(np.round(p.start / GRID)) for p in parts]
    shared = total = 0
    for i, mine in enumerate(onsets):
        others = np.unique(np.concatenate([o for j, o in enumerate(onsets) if j != i] or [np.zeros(0)]))
        shared += int(np.isin(mine, others).sum())
        total += len(mine)
    return shared / total if total else float("nan")


def texture(parts: list[Part], length: float, voices: int = 4) -> float:
    """Share of the time at least ``voices`` parts sound."""
    times = np.arange(0.0, length, GRID)
    count = np.sum([[bool(s) for s in sounding(p, times)] for p in parts], axis=0)
    return float(np.mean(count >= voices))


def chord_time(part: Part, length: float, notes: int) -> float:
    """Share of the part's sounding time with at least ``notes`` of its notes at once."""
    heard = [len(s) for s in sounding(part, np.arange(0.0, length, GRID)) if s]
    return float(np.mean([n >= notes for n in heard])) if heard else 0.0


def with_chance(measure, parts: list[Part], length: float, bar: float, shifts: int = 4) -> tuple[float, float]:
    """A measure of the parts as played, and its mean with the lowest part moved by 1..``shifts`` whole bars."""
    actual = measure(parts)
    moved = [measure(parts[:-1] + [parts[-1].moved(k * bar, length)]) for k in range(1, shifts + 1)]
    return actual, float(np.nanmean(moved))
