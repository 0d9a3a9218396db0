"""`performer bench music`: how the voices of every shipped scene, and of the demo show, sound together (bench/
ensemble.py's measures beside their chance values and the corpus's own), how fast a scene decides, whether the style
a scene asks for is the style a classifier hears (styleid.py), and how the harmony follows a player (playerfit.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from performer.bench import ensemble as em
from performer.config.loading import load_scene
from performer.config.scene import GLIDE, SceneSpec
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
    """The pitched voices' notes as parts in beats, highest (by mean pitch) first; drums, the player and glide voices
    (whose pitch is the performer's hand, not a choice) left out."""
    beat = 60.0 / spec.tempo
    glided = {m.voice for m in spec.mappings if m.param == GLIDE}
    names = [v.name for v in spec.voices if not v.drums and v.name not in glided]
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


DEMO_RIG = SCENES.parent / "rigs" / "laptop.toml"
DEMO_SESSION = SCENES.parent / "rigs" / "sessions" / "laptop-demo.jsonl"


def demo_figures() -> dict:
    """The demo show as the laptop rig plays its recorded session (the shipped weights), measured scene by scene."""
    from performer.config.loading import load_rig
    from performer.config.session import read_session
    from performer.config.settings import audio_settings
    from performer.offline.render import conduct

    loaded = load_rig(DEMO_RIG)
    session = read_session(DEMO_SESSION)
    notes, trace, start = conduct(loaded, session, audio_settings(loaded.rig))
    specs = {spec.name: spec for spec in loaded.scenes}
    marks = trace.scenes + [(start + session.duration, "")]
    out = {}
    for (begin, name), (end, _) in zip(marks, marks[1:]):
        spec = specs.get(name)
        if spec is None or end - begin < spec.bar_seconds * 2:
            continue
        mine = [n for n in notes if begin <= n.start < end and n.voice in {v.name for v in spec.voices}]
        names, parts = parts_of(mine, spec, start=begin)
        length = (end - begin) * spec.tempo / 60.0
        figures = measures(names, parts, length, spec.beats_per_bar, {v.name for v in spec.voices if v.plays_chords})
        figures["seconds"] = round(end - begin, 1)
        out[name] = {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
    return out


def summary(scenes: dict) -> dict:
    """The figures the issue sets targets for, over the shipped scenes: the worst diatonic scene's consonance and
    dissonance (against chance), the thinnest pad's chords, the least onset coincidence above chance, the slowest
    decisions."""
    diatonic_scenes = [s for s in scenes.values() if s["diatonic"] and "bass_melody_consonant" in s]
    pads = [(s[k], s[k.replace("two", "three")]) for s in scenes.values() for k in s if k.endswith("_two_or_more")]
    ensembles = [s for s in scenes.values() if "onset_coincidence" in s]
    return {
        "bass_melody_consonant": min(s["bass_melody_consonant"] for s in diatonic_scenes),
        "dissonant_pairs_over_chance": max(s["dissonant_pairs"] / s["dissonant_pairs_chance"]
                                           for s in diatonic_scenes if s["dissonant_pairs_chance"] > 0),
        "pad_two_or_more": min(p[0] for p in pads) if pads else None,
        "pad_three_or_more": min(p[1] for p in pads) if pads else None,
        "onset_coincidence_over_chance_points": round(min(100 * (s["onset_coincidence"] - s["onset_coincidence_chance"])
                                                          for s in ensembles), 2),
        "voice_ms_p99": max(s["voice_ms_p99"] for s in scenes.values() if s["voice_ms_p99"] is not None),
        "scene_step_ms_p99": max(s["scene_step_ms_p99"] for s in scenes.values() if s["scene_step_ms_p99"] is not None),
    }


def bench_music(weights: Path, events_path: Path, seconds: float = SECONDS, seeds: int = SEEDS) -> dict:
    """Every figure of `performer bench music`."""
    from performer.bench.playerfit import player_fit
    from performer.bench.styleid import style_figures
    from performer.config.rig import ModelConfig
    from performer.errors import ModelError
    from performer.generate.factory import make_factory

    if not events_path.is_file():
        raise ModelError(f"{events_path}: no event file; run `performer prep` first (the corpus figures need it)")
    factory, playing = make_factory(ModelConfig(weights=str(weights.resolve())), Path("."))
    events = EventFile.load(events_path)
    scenes = {load_scene(p).name: bench_scene(load_scene(p), factory, seconds, seeds) for p in scene_files()}
    result: dict = {"weights": str(weights), "playing": playing, "seconds": seconds, "seeds": seeds}
    result.update(summary(scenes))
    result.update(style_figures(events, factory))
    result.update(player_fit(events, factory))
    result["scenes"] = scenes
    result["demo"] = demo_figures()
    result["corpus"] = corpus_figures(events)
    return result
