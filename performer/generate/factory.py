"""Making a generator for each voice of a scene: the model when its weights load, else the rule-based fallback.

A missing or corrupt weights file is one warning line naming the file; the rig then plays on the fallback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from performer.config.loading import LoadedRig
from performer.config.rig import GeneratorKind, ModelConfig
from performer.config.scene import SceneSpec
from performer.generate.model.tokens import BASS_ROLE
from performer.generate.protocol import Generator
from performer.generate.rulewalk import RuleGenerator

log = logging.getLogger(__name__)

# (seed, scene, index of the voice in the scene) -> a fresh generator
GeneratorFactory = Callable[[int, SceneSpec, int], Generator]
BASS_BELOW = 55  # a voice whose register centre is below this plays the model's bass role


def voice_role(scene: SceneSpec, index: int) -> int:
    """The model's part role for a scene voice: 3 (bass) for a low register, else its place from the top."""
    low, high = scene.voices[index].register_
    return BASS_ROLE if (low + high) / 2 < BASS_BELOW else min(index, 2)


def rule_factory(seed: int, scene: SceneSpec, index: int) -> Generator:
    return RuleGenerator(seed)


def rig_factory(loaded: LoadedRig) -> GeneratorFactory:
    """The rig's generators, logging what plays the notes. Loading the model takes a while, so callers do it
    before the show starts and hand the factory to the conductor."""
    factory, playing = make_factory(loaded.rig.model, loaded.path.parent)
    log.info("notes from the %s", playing)
    return factory


def weights_path(config: ModelConfig, rig_dir: Path) -> Path:
    """The weights the rig names (relative to its folder), or the shipped ones."""
    from performer.generate.model.weights import DEFAULT_WEIGHTS

    return rig_dir / config.weights if config.weights else DEFAULT_WEIGHTS


def make_factory(config: ModelConfig, rig_dir: Path) -> tuple[GeneratorFactory, str]:
    """The factory the rig asks for, and a short description of what plays."""
    if config.generator == GeneratorKind.rules:
        return rule_factory, "rule-based generator"
    from performer.generate.model.weights import WeightsError, load_weights

    path = weights_path(config, rig_dir)
    try:
        weights = load_weights(path)
    except WeightsError as error:
        log.warning("%s; playing the rule-based fallback generator", error)
        return rule_factory, "rule-based generator (fallback)"
    from performer.generate.model.generator import ModelGenerator
    from performer.generate.model.runner import Runner

    runner = Runner(weights)
    runner.warm_up()  # compile (or load) the kernels before the first note is due

    def model_factory(seed: int, scene: SceneSpec, index: int) -> Generator:
        return ModelGenerator(runner, seed=seed, voice=voice_role(scene, index), beats_per_bar=scene.beats_per_bar)

    return model_factory, f"model {path.name} ({weights.layers}x{weights.hidden} GRU)"
