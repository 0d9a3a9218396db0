"""Fine-tuning on a folder of performed MIDI, measured: prep the folder, fine-tune the shipped weights on its
train part for a fixed budget, and compare held-out bits per note with a factored n-gram fitted on the same
train part (and with the shipped weights before fine-tuning)."""

from __future__ import annotations

import time
from pathlib import Path

from performer.data.prep import prep
from performer.generate.model.dataset import Tokenized
from performer.generate.model.train import TrainConfig, finetuning, train


def finetune_ratio(midi_dir: Path, weights: Path, work: Path, minutes: float, workers: int = 2) -> dict:
    """Held-out bits per note after fine-tuning, over the factored n-gram's on the same folder (lower is better)."""
    from performer.bench.model import factored_baseline, model_bits

    work.mkdir(parents=True, exist_ok=True)
    events_path = work / "finetune-events.npz"
    events = prep(events_path, work / "cache", midi_dir, seed=1, workers=workers)
    tuned, checkpoint = work / "finetuned.pt", work / "finetune-checkpoint.pt"
    checkpoint.unlink(missing_ok=True)  # a fresh run every time: the bench measures the whole fine-tune
    started = time.monotonic()
    config = finetuning(TrainConfig(events=events_path, out=tuned, checkpoint=checkpoint, init=weights))
    config.minutes = minutes
    summary = train(config)
    spent = (time.monotonic() - started) / 60
    test, fitted = Tokenized.from_events(events, "test"), Tokenized.from_events(events, "train")
    before, after = model_bits(weights, test), model_bits(tuned, test)
    factored = factored_baseline(fitted, test)
    return {"finetune_folder": str(midi_dir), "finetune_pieces": len(events.pieces),
            "finetune_notes": len(events.table), "finetune_test_notes": len(test),
            "finetune_minutes": round(spent, 1), "finetune_summary": summary,
            "finetune_bits_before": before[1]["total"], "finetune_bits_after": after[1]["total"],
            "finetune_bits_after_steered": after[0]["total"], "finetune_bits_after_per_attribute": after[1],
            "finetune_factored": factored["bits"], "finetune_factored_per_attribute": factored["per_attribute"],
            "finetune_ratio": round(after[1]["total"] / factored["bits"], 4)}
