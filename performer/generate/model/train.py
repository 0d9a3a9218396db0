"""`performer train`: fit the note model with a progress bar, resumable checkpoints and a fixed seed.

The learning rate follows a cosine over a fixed number of steps, so a resumed run ends where an unbroken one would.
The weights written are the state_dict with the best validation loss."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from performer.data.eventfile import EventFile
from performer.errors import ModelError
from performer.generate.model.dataset import Tokenized, batch
from performer.generate.model.network import NetConfig, NoteNet, note_nll

BITS = 1 / math.log(2)
WARM_UP = 300  # steps of linear warm-up (at most a tenth of the run, for short fine-tuning runs)
log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    events: Path
    out: Path
    checkpoint: Path
    minutes: float = 88.0
    seed: int = 1
    init: Path | None = None
    threads: int = 2
    steps: int = 6000
    batch_size: int = 64
    length: int = 128
    lr: float = 3e-3
    valid_every: int = 250
    played_share: float = 0.5  # windows made to look played (playing.py); 0 to fine-tune on performed MIDI
    keys: bool = True  # also train on each piece's whole texture, in the keys role
    checkpoint_every_s: float = 120.0


@dataclass
class TrainState:
    """Where a run is: steps done, best validation bits, seconds trained and the batch RNG's state. Checkpoints
    hold it as the plain dict ``to_dict`` makes, the format earlier runs wrote, so any checkpoint resumes."""

    step: int
    best: float
    elapsed: float
    rng: Mapping[str, Any]  # numpy's bit_generator.state

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint's ``state`` entry."""
        return {"step": self.step, "best": self.best, "elapsed": self.elapsed, "rng": self.rng}

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> TrainState:
        """Back from a checkpoint's ``state`` entry."""
        return cls(step=saved["step"], best=saved["best"], elapsed=saved["elapsed"], rng=saved["rng"])


def finetuning(config: TrainConfig) -> TrainConfig:
    """``config`` set to fine-tune on a user's folder of performed MIDI: a lower rate and fewer steps, checked
    often, within 15 minutes, and no windows made to look played (they already are)."""
    return replace(config, lr=1e-3, steps=900, played_share=0.0, valid_every=50, minutes=15.0)


def to_torch(b: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v) for k, v in b.items()}


def evaluate(model: NoteNet, batches: list[dict[str, torch.Tensor]]) -> float:
    """Mean bits per note over fixed validation batches."""
    model.eval()
    with torch.inference_mode():
        total = sum(float((note_nll(model(b)[0], b) * b["mask"]).sum()) for b in batches)
        count = sum(float(b["mask"].sum()) for b in batches)
    model.train()
    return total / count * BITS


def train(config: TrainConfig) -> str:
    """Train until ``steps`` or ``minutes`` run out; return a one-line summary."""
    from tqdm import tqdm

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    events = EventFile.load(config.events)
    data = Tokenized.from_events(events, "train", keys=config.keys)
    valid = Tokenized.from_events(events, "valid")
    if not len(data) or not len(valid):
        raise ModelError(f"{config.events}: too few pieces for a train and a validation split ({events.summary()})")
    valid_rng = np.random.default_rng(12345)
    valid_batches = [to_torch(batch(valid, 64, config.length, valid_rng, augment=False)) for _ in range(8)]
    model = NoteNet(NetConfig())
    if config.init:
        model.load_state_dict(torch.load(config.init, weights_only=True))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    state = TrainState(step=0, best=math.inf, elapsed=0.0, rng=np.random.default_rng(config.seed).bit_generator.state)
    if config.checkpoint.exists():
        state = _resume(config.checkpoint, model, optimizer)
        log.info("%s: resuming from step %d", config.checkpoint, state.step)
    rng = np.random.default_rng()
    rng.bit_generator.state = state.rng
    started, last_save = time.monotonic() - state.elapsed, time.monotonic()
    bar = tqdm(total=config.steps, initial=state.step, unit="step", desc="train")
    while state.step < config.steps and (time.monotonic() - started) < config.minutes * 60:
        _set_lr(optimizer, config, state.step)
        b = to_torch(batch(data, config.batch_size, config.length, rng, played_share=config.played_share))
        loss = (note_nll(model(b)[0], b) * b["mask"]).sum() / b["mask"].sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        state.step += 1
        bar.update()
        if state.step % config.valid_every == 0 or state.step == config.steps:
            bits = evaluate(model, valid_batches)
            if bits < state.best:
                state.best = bits
                _save_weights(model, config.out)
            bar.set_postfix(train=f"{float(loss) * BITS:.2f}", valid=f"{bits:.2f}", best=f"{state.best:.2f}")
        if time.monotonic() - last_save > config.checkpoint_every_s:
            state.elapsed, state.rng = time.monotonic() - started, rng.bit_generator.state
            _checkpoint(config, model, optimizer, state)
            last_save = time.monotonic()
    bar.close()
    state.elapsed, state.rng = time.monotonic() - started, rng.bit_generator.state
    _checkpoint(config, model, optimizer, state)
    return (f"{config.out}: best validation {state.best:.3f} bits/note after {state.step} steps, "
            f"{state.elapsed / 60:.1f} min, {sum(p.numel() for p in model.parameters())} parameters")


def _set_lr(optimizer: torch.optim.Optimizer, config: TrainConfig, step: int) -> None:
    warm = min(1.0, (step + 1) / min(WARM_UP, max(1, config.steps // 10)))
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, step / config.steps)))
    for group in optimizer.param_groups:
        group["lr"] = config.lr * warm * (0.05 + 0.95 * cosine)


def _save_weights(model: NoteNet, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(model.state_dict(), tmp)
    tmp.replace(path)


def _checkpoint(config: TrainConfig, model: NoteNet, optimizer: torch.optim.Optimizer, state: TrainState) -> None:
    config.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.checkpoint.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "state": state.to_dict(),
                "config": {k: str(v) for k, v in asdict(config).items()}}, tmp)
    tmp.replace(config.checkpoint)


def _resume(path: Path, model: NoteNet, optimizer: torch.optim.Optimizer) -> TrainState:
    saved = torch.load(path, weights_only=False)  # our own checkpoint: it holds the numpy RNG state
    model.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    return TrainState.from_dict(saved["state"])
