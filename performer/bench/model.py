"""The model bench: per-event latency, size, test-set bits per note against n-gram baselines, how faithfully
steering is followed, and whether the scale constraint holds."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from performer.bench.modelmusic import OPEN, line_shape, played, real_melodies, spearman, velocity_reach
from performer.data.eventfile import EventFile
from performer.generate.model import tokens as tk
from performer.generate.model.dataset import Tokenized
from performer.generate.model.factored import best_factored
from performer.generate.model.generator import ModelGenerator
from performer.generate.model.ngram import best_baseline, note_ids
from performer.generate.model.runner import Runner
from performer.generate.model.weights import load_module, load_state_dict, load_weights
from performer.music.notes import NoteEvent
from performer.music.scales import Scale, pitch_classes
from performer.music.steering import Constraints, Steering

DENSITIES = np.geomspace(0.25, 4.0, 12)
REGISTERS = np.linspace(40, 88, 12)
STEER_NOTES = 240  # per setting and seed
STEER_SEEDS = 4


def bench_model(weights: Path, events_path: Path, finetune: Path | None = None, finetune_minutes: float = 12.0) -> dict:
    """Every figure of the model: speed and size, steering, velocity and line shape, likelihoods on the corpus's
    test split beside both n-gram baselines, real melodies' statistics, and fine-tuning on ``finetune`` (a folder
    of performed MIDI; by default the ten MAESTRO performances of performer/data/performed.py)."""
    runner = Runner(load_weights(weights))
    runner.warm_up()
    result: dict = {"weights": str(weights)}
    result.update(latency(runner))
    state = load_state_dict(weights)
    result["params"] = int(sum(v.numel() for k, v in state.items() if v.is_floating_point()))
    result["weights_bytes"] = weights.stat().st_size
    result.update(steering_response(runner))
    result.update(density_reach(runner))
    result["in_scale_fraction"] = in_scale_fraction(runner)
    result.update(velocity_reach(runner))
    result.update(line_shape(runner))
    if events_path.exists():
        events = EventFile.load(events_path)
        result.update(real_melodies(events))
        result.update(likelihoods(weights, events))
    else:
        result["nll_note"] = f"{events_path}: no event file; run `performer prep` for the likelihoods and real lines"
    result.update(_finetuned(weights, finetune, finetune_minutes))
    return result


def _finetuned(weights: Path, folder: Path | None, minutes: float) -> dict:
    from performer.bench.finetune import finetune_ratio
    from performer.data.performed import PerformedError, performed_folder

    try:
        folder = folder or performed_folder(Path("cache/performed"))
    except PerformedError as error:
        return {"finetune_note": str(error)}
    return finetune_ratio(folder, weights, Path("cache/finetune"), minutes)


def latency(runner: Runner, events: int = 3000, warmup: int = 300) -> dict:
    """Milliseconds per event, where an event is feed(a player's note) + sample(): the answering case."""
    generator = ModelGenerator(runner, seed=7)
    constraints = Constraints(pitch_classes("D", Scale.dorian), low=48, high=84, max_polyphony=2, top_p=0.95)
    rng = np.random.default_rng(7)
    played = [NoteEvent(float(rng.choice([0.25, 0.5, 1.0])), 0.5, int(rng.integers(50, 80)), 80)
              for _ in range(events + warmup)]
    times = []
    for i, note in enumerate(played):
        steering = Steering(density=1 + (i % 7) * 0.3, register=60 + i % 11)
        start = time.perf_counter()
        generator.feed(note)
        generator.sample(steering, constraints)
        times.append(time.perf_counter() - start)
    ms = np.array(times[warmup:]) * 1000
    return {"event_ms_p50": _ms(np.percentile(ms, 50)), "event_ms_p99": _ms(np.percentile(ms, 99)),
            "event_ms_max": _ms(ms.max()), "events_timed": len(ms), "threads": 1}


def _ms(value: float) -> float:
    return round(float(value), 4)


def _over_seeds(runner: Runner, steering: Steering) -> list[NoteEvent]:
    """STEER_NOTES notes from each of STEER_SEEDS voices under one steering."""
    return [n for seed in range(STEER_SEEDS) for n in played(runner, steering, OPEN, seed, STEER_NOTES)]


def steering_response(runner: Runner) -> dict:
    """Commanded vs realized: notes per beat over the density settings, mean pitch over the register settings."""
    density = []
    for d in DENSITIES:
        notes = _over_seeds(runner, Steering(density=float(d)))
        beats = sum(n.delta for n in notes) or 1.0
        density.append(len(notes) / beats)
    register = []
    for r in REGISTERS:
        notes = _over_seeds(runner, Steering(register=float(r)))
        register.append(float(np.mean([n.pitch for n in notes])))
    return {
        "steer_density_spearman": round(spearman(DENSITIES, np.array(density)), 4),
        "steer_register_spearman": round(spearman(REGISTERS, np.array(register)), 4),
        "steer_density_commanded": [round(float(v), 3) for v in DENSITIES],
        "steer_density_realized": [round(v, 3) for v in density],
        "steer_register_commanded": [round(float(v), 2) for v in REGISTERS],
        "steer_register_realized": [round(v, 2) for v in register],
    }


def density_reach(runner: Runner) -> dict:
    """Notes per beat realised when 6 and 8 are asked for (the top of the density range)."""
    out = {}
    for asked in (6.0, 8.0):
        notes = _over_seeds(runner, Steering(density=asked))
        out[f"density_realized_at_{asked:g}"] = round(len(notes) / (sum(n.delta for n in notes) or 1.0), 3)
    return out


def in_scale_fraction(runner: Runner, n: int = 2000) -> float:
    """Share of notes whose pitch class is in the scale, sampled hot (temperature 1.5) across registers."""
    classes = pitch_classes("E", Scale.phrygian)
    constraints = Constraints(classes, low=30, high=100, max_polyphony=3, temperature=1.5)
    generator = ModelGenerator(runner, seed=11)
    notes = [generator.sample(Steering(register=30 + i % 70, density=0.5 + i % 5), constraints) for i in range(n)]
    return sum(1 for x in notes if x.pitch % 12 in classes) / len(notes)


def likelihoods(weights: Path, events: EventFile) -> dict:
    """Bits per note on the test split: the model (steered by each note's own neighbourhood, and unsteered), the
    best smoothed n-gram over the same whole-note tokens, and the best factored n-gram; each also per attribute."""
    test, train = Tokenized.from_events(events, "test"), Tokenized.from_events(events, "train")
    steered, unsteered, hearing = model_bits(weights, test)
    baseline = best_baseline(_sequences(train, 0), _sequences(test, 0), _transposed(train))
    factored = factored_baseline(train, test)
    return {"nll_model": steered["total"], "nll_model_unsteered": unsteered["total"],
            "nll_model_bits": steered, "nll_model_unsteered_bits": unsteered,
            "nll_baseline": round(baseline["bits"], 4), "nll_baseline_model": baseline["best"],
            "nll_ratio": round(steered["total"] / baseline["bits"], 4), "nll_baselines": baseline["all"],
            "nll_factored_baseline": factored["bits"], "nll_factored_bits": factored["per_attribute"],
            "nll_factored_models": factored["best"],
            "nll_ratio_unsteered_factored": round(unsteered["total"] / factored["bits"], 4),
            "nll_model_hearing": hearing["total"], "nll_model_hearing_bits": hearing,
            "nll_ratio_hearing_factored": round(hearing["total"] / factored["bits"], 4),
            "test_notes": len(test), "train_notes": len(train)}


def factored_baseline(train: Tokenized, test: Tokenized) -> dict:
    """best_factored over each part's attribute sequences (pitch also fitted in all 12 transpositions)."""
    def fields(data: Tokenized, shift: int = 0) -> dict[str, list[np.ndarray]]:
        spans = [(a, b) for a, b in zip(data.starts, data.ends)
                 if not shift or (tk.PITCH_LOW <= data.pitch[a:b] + shift).all() and
                 (data.pitch[a:b] + shift <= tk.PITCH_HIGH).all()]
        return {"delta": [data.delta[a:b] for a, b in spans], "dur": [data.dur[a:b] for a, b in spans],
                "pitch": [tk.pitch_token(data.pitch[a:b] + shift) for a, b in spans],
                "vel": [data.vel[a:b] for a, b in spans]}

    shifted = [fields(train, shift) for shift in range(-6, 6)]
    transposed = {name: [seq for f in shifted for seq in f[name]] for name in shifted[0]}
    return best_factored(fields(train), fields(test), transposed)


def _sequences(data: Tokenized, shift: int) -> list[np.ndarray]:
    out = []
    for start, end in zip(data.starts, data.ends):
        pitch = data.pitch[start:end] + shift
        if shift and (pitch.min() < tk.PITCH_LOW or pitch.max() > tk.PITCH_HIGH):
            continue
        out.append(note_ids(data.delta[start:end], data.dur[start:end], tk.pitch_token(pitch), data.vel[start:end]))
    return out


def _transposed(data: Tokenized) -> list[np.ndarray]:
    return [seq for shift in range(-6, 6) for seq in _sequences(data, shift)]


def model_bits(weights: Path, data: Tokenized) -> tuple[dict[str, float], ...]:
    """Teacher-forced bits per note over whole parts, from each part's start, per attribute and in total: steered
    by each note's neighbourhood and hearing the other parts (key, style); unsteered and hearing nothing (as the
    n-gram baselines); and unsteered but hearing."""
    import torch

    from performer.generate.model.dataset import collate, window
    from performer.generate.model.features import absent_vector, hearing_vector
    from performer.generate.model.network import attribute_nll
    from performer.generate.model.train import BITS, to_torch

    model = load_module(weights)
    totals: list[dict[str, float]] = [{}, {}, {}]
    spans = zip(data.starts, data.ends)
    rows = [window(data, i, int(start), int(end - start), 0) for i, (start, end) in enumerate(spans)]
    rows.sort(key=lambda r: len(r["delta"]))
    with torch.inference_mode():
        for i in range(0, len(rows), 32):
            group = rows[i:i + 32]
            b = to_torch(collate(group, max(len(r["delta"]) for r in group)))
            heard = b["hear"].clone()
            for which in (0, 1, 2):
                if which:
                    b["steer"][:] = torch.from_numpy(absent_vector())
                b["hear"] = torch.from_numpy(hearing_vector(None)).expand_as(heard) if which == 1 else heard
                for key, nll in attribute_nll(model(b)[0], b).items():
                    totals[which][key] = totals[which].get(key, 0.0) + float((nll * b["mask"]).sum())
    out = []
    for sums in totals:
        bits = {key: round(value / len(data) * BITS, 4) for key, value in sums.items()}
        bits["total"] = round(sum(sums.values()) / len(data) * BITS, 4)
        out.append(bits)
    return out[0], out[1], out[2]
