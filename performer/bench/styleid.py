"""Style identification for `performer bench music`: a classifier fitted on the corpus's melodies (never on generated
music) names the style of a line from its intervals, rhythm, place in the beat and key profile; then it hears the
melody of one scene asked for each style in turn."""

from __future__ import annotations

import numpy as np

from performer.config.scene import SceneSpec, SteeringSpec, VoiceSpec
from performer.data.eventfile import EventFile
from performer.generate.factory import GeneratorFactory
from performer.music.keys import estimate_key, pitch_class_weights
from performer.music.styles import STYLES, style_of_piece
from performer.offline.scenenotes import play_scene

WINDOW = 32  # notes a judgement hears
PER_STYLE = 800  # windows per style the classifier is fitted on (balanced)
STEPS, RATE, L2 = 400, 0.5, 1e-3
SECONDS, SEEDS = 120.0, 3


def features(onset: np.ndarray, duration: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """One line's window as a fixed vector: intervals, tempo-free rhythm, place in the beat, articulation, and the
    key profile (pitch classes from the line's own estimated tonic)."""
    steps = np.clip(np.diff(pitch), -12, 12)
    intervals = np.bincount(steps + 12, minlength=25) / max(1, len(steps))
    delta = np.diff(onset)
    moving = delta[delta > 1e-6]
    median = float(np.median(moving)) if len(moving) else 1.0
    ratio = np.clip(np.round(np.log2(np.maximum(moving, 1e-3) / median) * 2), -6, 6).astype(int)
    rhythm = np.bincount(ratio + 6, minlength=13) / max(1, len(moving))
    chords = np.array([np.mean(delta <= 1e-6)]) if len(delta) else np.zeros(1)
    place = np.bincount(np.round((onset % 1.0) * 12).astype(int) % 12, minlength=12) / len(onset)
    legato = np.clip(duration[:-1] / np.maximum(delta, 1e-3), 0, 2) if len(delta) else np.zeros(1)
    articulation = np.bincount(np.minimum((legato * 2.5).astype(int), 4), minlength=5) / max(1, len(legato))
    key = estimate_key(pitch_class_weights(pitch, duration))
    tonic = key.tonic if key else 0
    profile = pitch_class_weights((pitch - tonic) % 12, duration)
    profile = profile / max(1e-9, profile.sum())
    spread = np.array([np.std(pitch) / 12.0, median, float(key.minor) if key else 0.0])
    return np.concatenate([intervals, rhythm, chords, place, articulation, profile, spread])


def corpus_windows(events: EventFile, split: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and style labels: windows of the top part of each piece of ``split``, PER_STYLE per style."""
    by_style: dict[int, list[np.ndarray]] = {i: [] for i in range(len(STYLES))}
    for i in events.parts_in(split):
        style = style_of_piece(events.pieces[int(events.part_piece[i])])
        if style is not None and int(events.voices[i]) == 0 and events.offsets[i + 1] - events.offsets[i] > WINDOW:
            by_style[style].append(events.part(i))
    rows, labels = [], []
    for style, tables in by_style.items():
        for _ in range(PER_STYLE if tables else 0):
            table = tables[int(rng.integers(len(tables)))]
            start = int(rng.integers(0, len(table) - WINDOW))
            w = table[start:start + WINDOW].astype(np.float64)
            rows.append(features(w[:, 0], w[:, 1], w[:, 2].astype(np.int64)))
            labels.append(style)
    return np.array(rows), np.array(labels)


class StyleClassifier:
    """Multinomial logistic regression on standardised features, fitted by gradient descent."""

    def __init__(self, rows: np.ndarray, labels: np.ndarray) -> None:
        self.mean, self.scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6
        x = self._x(rows)
        onehot = np.eye(len(STYLES))[labels]
        self.w = np.zeros((x.shape[1], len(STYLES)))
        for _ in range(STEPS):
            p = self._softmax(x @ self.w)
            self.w -= RATE * (x.T @ (p - onehot) / len(x) + L2 * self.w)

    def _x(self, rows: np.ndarray) -> np.ndarray:
        x = (rows - self.mean) / self.scale
        return np.hstack([x, np.ones((len(x), 1))])

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, rows: np.ndarray) -> np.ndarray:
        if self.w.shape[0] != rows.shape[1] + 1:
            raise ValueError("feature width does not match the fitted classifier")
        return np.argmax(self._x(rows) @ self.w, axis=1)


def style_scene(style: str) -> SceneSpec:
    """The one scene every style is asked of: a melody over a pad and a bass in C major, at 96 beats a minute. The
    melody leaves its density and spread to the style, as a scene that names a style may."""
    voices = [VoiceSpec(name="melody", instrument="epiano", register=(60, 84),
                        steering=SteeringSpec(register=70, velocity=80)),
              VoiceSpec(name="pad", instrument="pad", register=(48, 67), channel=3,
                        steering=SteeringSpec(density=0.5, register=58, spread=5.0, velocity=66)),
              VoiceSpec(name="bass", instrument="bass", register=(33, 52), channel=2,
                        steering=SteeringSpec(density=1.0, register=43, spread=4.0, velocity=72))]
    return SceneSpec(name=f"Style {style}", tempo=96, voices=voices, style=[style])


def generated_windows(factory: GeneratorFactory, spec: SceneSpec) -> np.ndarray:
    """Feature rows of the melody of ``spec``, SEEDS performances of SECONDS, in consecutive windows."""
    beat = 60.0 / spec.tempo
    rows = []
    for seed in range(SEEDS):
        notes = [n for n in play_scene(spec, factory, SECONDS, seed).notes if n.voice == "melody"]
        onset = np.array([n.start / beat for n in notes])
        duration = np.array([n.duration / beat for n in notes])
        pitch = np.array([n.pitch for n in notes], dtype=np.int64)
        for start in range(0, len(notes) - WINDOW + 1, WINDOW):
            rows.append(features(onset[start:start + WINDOW], duration[start:start + WINDOW],
                                 pitch[start:start + WINDOW]))
    return np.array(rows)


def style_figures(events: EventFile, factory: GeneratorFactory) -> dict:
    """The classifier's accuracy on the corpus's test split, and on the scene asked for each style."""
    rng = np.random.default_rng(15)
    classifier = StyleClassifier(*corpus_windows(events, "train", rng))
    test_rows, test_labels = corpus_windows(events, "test", rng)
    out: dict = {"style_classifier_corpus_accuracy": round(float(np.mean(classifier.predict(test_rows) == test_labels)),
                                                           4)}
    hits, total, named = 0, 0, {}
    for index, style in enumerate(STYLES):
        rows = generated_windows(factory, style_scene(style))
        answers = classifier.predict(rows) if len(rows) else np.zeros(0, dtype=int)
        hits, total = hits + int(np.sum(answers == index)), total + len(answers)
        named[style] = {STYLES[k]: int(np.sum(answers == k)) for k in range(len(STYLES)) if np.any(answers == k)}
    out["style_id_accuracy"] = round(hits / total, 4) if total else None
    out["style_id_answers"] = named
    out["style_id_styles"] = len(STYLES)
    return out
