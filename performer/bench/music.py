"""`performer bench music`: how the voices of every shipped scene, and of the demo show, sound together (bench/
ensemble.py's measures beside their chance values and the corpus's own), how fast a scene decides, whether the style
a scene asks for is the style a classifier hears (styleid.py), and how the harmony follows a player (playerfit.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from performer.bench import ensemble as em
from performer.config.loading import load_scene
from performer.config.scene import SceneSpec
from performer.data.eventfile import EventFile
from performer.generate.factory import GeneratorFactory
from performer.music.scales import SCALE_STEPS
from performer.offline.scenenotes import play_scene
from synthesis.protocol import Note

SCENES = Path(__file__).resolve().parents[2] / "scenes"
SECONDS = 120.0
SEEDS = 5
CHORALES = 40


def scene_files() -> list[Path]:
    """Every shipped scene (not the shows)."""
    return sorted(p for p in SCENES.glob("*.toml") if not p.name.endswith(".show.toml"))


def diatonic(spec: SceneSpec) -> bool:
    """Whether a scene's scale has seven notes, where voices can clash (a pentatonic scale cannot)."""
    return len(SCALE_STEPS[spec.scale]) == 7


def parts_of(notes: list[Note], spec: SceneSpec, start: float = 0.0) -> tuple[list[str], list[em.Part]]:
    """The pitched voices' notes as parts in beats, highest (by mean pitch) first; drums and the player left out."""
    beat = 60.0 / spec.tempo
    names = [v.name for v in spec.voices if not v.drums]
    parts = {}
    for name in names:
        mine = [n for n in notes if n.voice == name]
        if mine:
            parts[name] = em.Part(np.array([(n.start - start) / beat for n in mine]),
                                  np.array([(n.start - start + n.duration) / beat for n in mine]),
                                  np.array([n.pitch for n in mine]))
    order = sorted(parts, key=lambda k: -float(np.mean(parts[k].pitch)))
    return order, [parts[k] for k in order]


def measures(names: list[str], parts: list[em.Part], length: float, bar: float,
             chord_voices: set[str]) -> dict:
    """bench/ensemble.py's measures of one performance, each with its chance value where it has one."""
    out: dict = {"voices": names}
    if len(parts) >= 2:
        for key, fn in (("bass_melody_consonant", lambda p: em.bass_melody_consonance(p, length)),
                        ("dissonant_pairs", lambda p: em.dissonant_share(p, length)),
                        ("onset_coincidence", em.onset_coincidence)):
            actual, chance = em.with_chance(fn, parts, length, bar)
            out[key], out[f"{key}_chance"] = actual, chance
    out["texture_4_or_more"] = em.texture(parts, length, 4)
    out["texture_3_or_more"] = em.texture(parts, length, 3)
    for name, part in zip(names, parts):
        if name in chord_voices:
            out[f"{name}_two_or_more"] = em.chord_time(part, length, 2)
            out[f"{name}_three_or_more"] = em.chord_time(part, length, 3)
    return out


def mean_of(runs: list[dict]) -> dict:
    """The mean of each figure over runs (seeds)."""
    keys = [k for k in runs[0] if isinstance(runs[0][k], float)]
    out = {k: round(float(np.nanmean([r.get(k, math.nan) for r in runs])), 4) for k in keys}
    out["voices"] = runs[0]["voices"]
    return out


def bench_scene(spec: SceneSpec, factory: GeneratorFactory, seconds: float = SECONDS, seeds: int = SEEDS) -> dict:
    """A scene's ensemble figures, the mean over ``seeds`` performances of ``seconds``, and its decision times."""
    runs, per_voice, steps = [], [], []
    for seed in range(seeds):
        played = play_scene(spec, factory, seconds, seed)
        names, parts = parts_of(played.notes, spec)
        length = seconds * spec.tempo / 60.0
        runs.append(measures(names, parts, length, spec.beats_per_bar, {v.name for v in spec.voices if v.plays_chords}))
        times = [t for ts in played.seconds.values() for t in ts]
        per_voice += times
        n = len(spec.voices)
        steps += [sum(times[i:i + n]) for i in range(0, len(times) - n + 1, n)]
    out = mean_of(runs)
    out["diatonic"] = diatonic(spec)
    out["voice_ms_p99"] = round(float(np.percentile(per_voice, 99)) * 1000, 3) if per_voice else None
    out["scene_step_ms_p99"] = round(float(np.percentile(steps, 99)) * 1000, 3) if steps else None
    return out


def corpus_parts(events: EventFile, prefixes: tuple[str, ...], limit: int | None = None) -> list[list[em.Part]]:
    """Four-part pieces of the corpus whose names start with ``prefixes``: their parts from the top down."""
    pieces: dict[int, list[int]] = {}
    for i in range(len(events.voices)):
        pieces.setdefault(int(events.part_piece[i]), []).append(i)
    out = []
    for piece, indices in sorted(pieces.items(), key=lambda kv: events.pieces[kv[0]]):
        if len(indices) != 4 or not events.pieces[piece].startswith(prefixes):
            continue
        tables = [events.part(i) for i in sorted(indices, key=lambda i: int(events.voices[i]))]
        out.append([em.Part(t[:, 0].astype(float), (t[:, 0] + t[:, 1]).astype(float), t[:, 2].astype(int))
                    for t in tables])
        if limit is not None and len(out) >= limit:
            break
    return out


def corpus_figures(events: EventFile) -> dict:
    """The same measures on 40 Bach chorales and on the four-part string quartets (and quartet-like pieces)."""
    out = {}
    for name, prefixes, limit in (("bach_chorales", ("bach/",), CHORALES),
                                  ("quartets", ("beethoven/", "haydn/", "mozart/"), None)):
        runs = []
        for parts in corpus_parts(events, prefixes, limit):
            length = float(max(p.end.max() for p in parts))
            runs.append(measures(["1", "2", "3", "4"], parts, length, 4.0, set()))
        out[name] = mean_of(runs) if runs else {}
        out[name]["pieces"] = len(runs)
    return out
