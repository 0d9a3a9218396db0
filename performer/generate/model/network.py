"""The network: a GRU over the notes so far, and four small heads that pick delta, pitch, duration and velocity
in turn, each seeing the choices before it, the steering vector and what the voice hears of the ensemble (the
other parts' pitch classes, the key, the style), as Notochord factorizes its events."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from performer.generate.model import tokens as tk
from performer.generate.model.features import N_HEAR, N_STEER

FORMAT_VERSION = 1
N_DELTA, N_DUR = len(tk.DELTA_GRID), len(tk.DUR_GRID)


@dataclass(frozen=True)
class NetConfig:
    """Sizes. The live generator reads them back from the tensor shapes, so weights carry no pickled config."""

    hidden: int = 256
    layers: int = 2
    emb: int = 32
    head: int = 160
    voices: int = tk.N_VOICE  # part roles; weights from before the keys role have 4
    hear: int = N_HEAR  # width of the ensemble input (features.py); weights from before it have 0


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class NoteNet(nn.Module):
    """Factorized next-note model: p(delta) p(pitch | delta) p(dur | delta, pitch) p(vel | pitch, dur)."""

    def __init__(self, config: NetConfig = NetConfig()) -> None:
        super().__init__()
        e = config.emb
        self.register_buffer("format_version", torch.tensor(FORMAT_VERSION))
        self.e_delta = nn.Embedding(N_DELTA + 1, e)  # +1: the start token
        self.e_dur = nn.Embedding(N_DUR + 1, e)
        self.e_pitch = nn.Embedding(tk.N_PITCH + 1, e)
        self.e_vel = nn.Embedding(tk.N_VEL + 1, e // 2)
        self.e_pos = nn.Embedding(tk.N_POS, e // 2)
        self.e_barlen = nn.Embedding(tk.N_BARLEN, e // 4)
        self.e_voice = nn.Embedding(config.voices, e // 4)
        gru_in = 3 * e + e // 2 + e // 2 + e // 4 + e // 4
        self.gru = nn.GRU(gru_in, config.hidden, config.layers, batch_first=True)
        self.hear = config.hear
        ctx = config.hidden + N_STEER + config.hear
        self.h_delta = _mlp(ctx, config.head, N_DELTA)
        self.h_pitch = _mlp(ctx + e + e // 2, config.head, tk.N_PITCH)
        self.h_dur = _mlp(ctx + e + e // 2 + e, config.head, N_DUR)
        self.h_vel = _mlp(ctx + e // 2 + e + e, config.head, tk.N_VEL)

    def gru_input(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """The previous note, the bar length and the voice, embedded."""
        return torch.cat([self.e_delta(b["in_delta"]), self.e_dur(b["in_dur"]), self.e_pitch(b["in_pitch"]),
                          self.e_vel(b["in_vel"]), self.e_pos(b["in_pos"]), self.e_barlen(b["barlen"]),
                          self.e_voice(b["voice"])], dim=-1)

    def forward(self, b: dict[str, torch.Tensor], state: torch.Tensor | None = None):
        """Logits of all four heads under teacher forcing, and the final GRU state."""
        h, state = self.gru(self.gru_input(b), state)
        ctx = torch.cat([h, b["steer"], b["hear"][..., :self.hear]], dim=-1)
        e_delta, e_pos, e_pitch, e_dur = (self.e_delta(b["delta"]), self.e_pos(b["pos"]), self.e_pitch(b["pitch"]),
                                          self.e_dur(b["dur"]))
        logits = {
            "delta": self.h_delta(ctx),
            "pitch": self.h_pitch(torch.cat([ctx, e_delta, e_pos], dim=-1)),
            "dur": self.h_dur(torch.cat([ctx, e_delta, e_pos, e_pitch], dim=-1)),
            "vel": self.h_vel(torch.cat([ctx, e_pos, e_pitch, e_dur], dim=-1)),
        }
        return logits, state


def attribute_nll(logits: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Negative log-likelihood per note position in nats, for each of the four factors."""
    return {key: nn.functional.cross_entropy(values.flatten(0, 1), b[key].flatten(),
                                             reduction="none").view(b["mask"].shape)
            for key, values in logits.items()}


def note_nll(logits: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> torch.Tensor:
    """Negative log-likelihood per note position in nats: the sum of the four factors."""
    parts = list(attribute_nll(logits, b).values())
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total
