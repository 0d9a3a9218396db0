"""What the model's lines sound like, measured the same way as real melodies from the corpus: how far velocity
steering reaches, how often the line leaps and steps at default steering, and how phrase memory (`repetition`)
brings spans and motifs back."""

from __future__ import annotations

import numpy as np

from performer.bench.lines import Line, interval_shares, motif_recurrence, phrase_repeat_share
from performer.data.eventfile import EventFile
from performer.generate.model.generator import ModelGenerator
from performer.generate.model.runner import Runner
from performer.music.notes import NoteEvent
from performer.music.steering import Constraints, Steering

OPEN = Constraints(frozenset(range(12)), low=21, high=108, max_polyphony=1)
VELOCITY_COMMANDS = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 127)
MAE_RANGE = (20, 120)
SEEDS = 10
LINE_NOTES = 300
REPETITIONS = (0.0, 0.5, 1.0)


def generated_lines(runner: Runner, steering: Steering, seeds: int = SEEDS, notes: int = LINE_NOTES) -> list[Line]:
    """One line per seed, played from the start under one steering."""
    lines = []
    for seed in range(seeds):
        line = played(runner, steering, OPEN, seed, notes)
        onset = np.cumsum([n.delta for n in line])
        lines.append(Line(onset - onset[0], np.array([n.pitch for n in line])))
    return lines


def velocity_reach(runner: Runner, seeds: int = 4, notes: int = 120) -> dict:
    """Mean realised velocity per command, and the mean absolute error of every note over commands 20..120."""
    realised: list[float] = []
    errors: list[float] = []
    for command in VELOCITY_COMMANDS:
        heard = [n.velocity for s in range(seeds) for n in played(runner, Steering(velocity=command), OPEN, s, notes)]
        realised.append(float(np.mean(heard)))
        if MAE_RANGE[0] <= command <= MAE_RANGE[1]:
            errors.extend(abs(v - command) for v in heard)
    return {"velocity_commanded": list(VELOCITY_COMMANDS), "velocity_realized": [round(v, 1) for v in realised],
            "steer_velocity_spearman": round(spearman(np.array(VELOCITY_COMMANDS), np.array(realised)), 4),
            "velocity_realized_min": round(min(realised), 1), "velocity_realized_max": round(max(realised), 1),
            "velocity_mae": round(float(np.mean(errors)), 2)}


def played(runner: Runner, steering: Steering, constraints: Constraints, seed: int, n: int) -> list[NoteEvent]:
    """``n`` notes of one voice from its start, under one steering."""
    generator = ModelGenerator(runner, seed=seed)
    return [generator.sample(steering, constraints) for _ in range(n)]


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation (ties share their mean rank)."""
    def ranks(v: np.ndarray) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for value in np.unique(v):
            r[v == value] = r[v == value].mean()
        return r
    return float(np.corrcoef(ranks(np.asarray(x)), ranks(np.asarray(y)))[0, 1])


def line_shape(runner: Runner) -> dict:
    """Leaps and steps at default steering, and phrase returns and motif recurrence at each `repetition`."""
    result: dict = {}
    result.update(interval_shares(generated_lines(runner, Steering())))
    for repetition in REPETITIONS:
        lines = generated_lines(runner, Steering(repetition=repetition))
        recurrence, chance = motif_recurrence(lines)
        tag = f"{repetition:g}"
        result[f"phrase_repeat_share_rep{tag}"] = phrase_repeat_share(lines)
        result[f"motif_recurrence_rep{tag}"] = recurrence
        result[f"motif_recurrence_chance_rep{tag}"] = chance
    result["phrase_repeat_share"] = result["phrase_repeat_share_rep0.5"]
    result["motif_recurrence"] = result["motif_recurrence_rep0.5"]
    return result


def real_melodies(events: EventFile, split: str = "test", limit: int = 400) -> dict:
    """The same statistics for the top part of each piece of ``split`` (its highest note at each onset), from its
    first downbeat: what the corpus's own melodies do."""
    lines = []
    for i in events.parts_in(split):
        if events.voices[i] != 0:
            continue
        line = _top_line(events.part(i))
        if line is not None:
            lines.append(line)
    lines = lines[:limit]
    recurrence, chance = motif_recurrence([Line(line.onset, line.pitch[:LINE_NOTES], line.bar_len)
                                           for line in lines])
    shares = interval_shares(lines)
    return {"real_melodies": len(lines), "real_leap_share": shares["leap_share"],
            "real_step_share": shares["step_share"], "real_phrase_repeat_share": phrase_repeat_share(lines),
            "real_motif_recurrence": recurrence, "real_motif_recurrence_chance": chance}


def _top_line(table: np.ndarray) -> Line | None:
    """A part as a monophonic line (highest pitch per onset) from its first downbeat, or None if too short."""
    onset, pitch, bar_pos, bar_len = table[:, 0], table[:, 2], table[:, 4], table[:, 5]
    downbeats = np.flatnonzero(np.abs(bar_pos) < 1e-6)
    if len(downbeats) == 0 or len(table) < 16:
        return None
    top = np.flatnonzero(np.r_[True, np.diff(onset) > 1e-6])  # rows run by onset, then pitch from the top
    top = top[onset[top] >= onset[downbeats[0]] - 1e-6]
    return Line(onset[top].astype(np.float64) - float(onset[downbeats[0]]), pitch[top].astype(np.int64),
                float(np.median(bar_len)))
