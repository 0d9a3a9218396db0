"""Loading the shipped weights: a plain state_dict read with ``torch.load(weights_only=True)``, then turned into
numpy arrays so the live generator runs without torch's per-call overhead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from performer.errors import ModelError
from performer.generate.model.network import FORMAT_VERSION

DEFAULT_WEIGHTS = Path(__file__).with_name("weights.pt")
MAX_WEIGHTS_BYTES = 64 << 20  # the shipped weights are 3.9 MB; a larger file is not ours to unpack


class WeightsError(ModelError):
    """The weights file is missing, unreadable, or not the shape this code expects."""


@dataclass(frozen=True)
class Weights:
    """The network's arrays (float32), keyed as in the state_dict, plus sizes read from their shapes."""

    arrays: dict[str, np.ndarray]
    hidden: int
    layers: int
    voices: int = 4  # part roles the network knows (its voice embedding's rows)
    hear: int = 0  # width of its ensemble input (features.N_HEAR, or 0 for weights from before it)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]


def load_state_dict(path: Path) -> dict:
    """The raw state_dict, loaded safely: weights_only refuses any pickled code."""
    import torch

    if not path.is_file():
        raise WeightsError(f"{path}: no such weights file")
    if path.stat().st_size > MAX_WEIGHTS_BYTES:
        raise WeightsError(f"{path}: larger than the {MAX_WEIGHTS_BYTES >> 20} MB a weights file may be")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightsError(f"{path}: not a readable weights file ({type(error).__name__})") from error
    if not isinstance(state, dict):
        raise WeightsError(f"{path}: expected a state_dict, found {type(state).__name__}")
    return state


def load_module(path: Path = DEFAULT_WEIGHTS):
    """The torch module, checked against this code: any problem is one WeightsError line naming the file."""
    from performer.generate.model.network import NoteNet

    state = load_state_dict(path)
    version = _version(state.get("format_version"))
    if version != FORMAT_VERSION:
        raise WeightsError(f"{path}: format_version {version}, expected {FORMAT_VERSION}")
    try:
        module = NoteNet(config_for(state))
        module.load_state_dict(state)
    except (KeyError, RuntimeError, AttributeError, ValueError, TypeError, IndexError) as error:
        raise WeightsError(f"{path}: does not match the network ({str(error).splitlines()[0][:160]})") from error
    return module.eval()


def _version(value: object) -> int | None:
    """The format version saved beside the tensors (a one-number tensor, or an int), or None if it is neither."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, RuntimeError):
        return None


def load_weights(path: Path = DEFAULT_WEIGHTS) -> Weights:
    """The weights as numpy arrays for the live generator; non-finite values are refused."""
    module = load_module(path)
    arrays = {k: v.detach().numpy().astype(np.float32) for k, v in module.state_dict().items()
              if v.is_floating_point()}
    bad = [k for k, v in arrays.items() if not np.isfinite(v).all()]
    if bad:
        raise WeightsError(f"{path}: {bad[0]}: non-finite values")
    return Weights(arrays=arrays, hidden=module.gru.hidden_size, layers=module.gru.num_layers,
                   voices=module.e_voice.num_embeddings, hear=module.hear)


def config_for(state: dict):
    """The NetConfig a state_dict was saved from, read off its tensor shapes."""
    from performer.generate.model.features import N_STEER
    from performer.generate.model.network import NetConfig

    hidden = int(state["gru.weight_hh_l0"].shape[1])
    return NetConfig(hidden=hidden,
                     layers=sum(1 for k in state if k.startswith("gru.weight_hh_l")),
                     emb=int(state["e_delta.weight"].shape[1]), head=int(state["h_delta.0.weight"].shape[0]),
                     voices=int(state["e_voice.weight"].shape[0]),
                     hear=int(state["h_delta.0.weight"].shape[1]) - hidden - N_STEER)
