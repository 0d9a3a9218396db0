"""`performer bench response`: how soon a move of a control is heard in the notes, measured with the conductor as
it runs (offline, on a sample clock: live and offline give the same notes).

One voice plays a scene at a tempo and density; one control jumps at a known time (20 offsets within a bar), and
the lag is the time from the jump to the first note that obeys it. The floor is the first onset the voice could
still have changed (its first onset at least one lookahead after the jump); ``excess`` is the lag beyond it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from performer.config.loading import LoadedRig, load_rig, load_scene
from performer.config.scene import MappingSpec, SceneSpec
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.music.steering import SteerParam
from performer.offline.render import conduct
from sensors.events import ControlEvent, Event
from synthesis.protocol import Note

OFFSETS = 20  # jump times per condition, spread over a bar
SCENES = Path(__file__).resolve().parents[2] / "scenes"
SCENE_WAIT = 12.0  # seconds after a jump within which a shipped scene's voice must obey it
SETTLE_BARS = 4  # bars played before the first jump
SIGNAL = "bench/control"
REGISTERS = (52.0, 76.0)  # low, high: a jump of two octaves less a tone
VELOCITIES = (40.0, 110.0)
DENSITIES = (0.5, 4.0)
SPREAD = 4.0


@dataclass(frozen=True)
class Jump:
    """What moves: a steering parameter from ``before`` to ``after``, and when a note obeys it."""

    param: str
    before: float
    after: float
    obeys: Callable[[Note, float], bool]  # (note, seconds per beat) -> whether it follows the new value


JUMPS = {
    "register": Jump("register", *REGISTERS, lambda n, _: abs(n.pitch - REGISTERS[1]) <= 2 * SPREAD),
    "velocity": Jump("velocity", *VELOCITIES, lambda n, _: abs(n.velocity - VELOCITIES[1]) <= 24),
}


def _scene(param: str, before: float, after: float, density: float, tempo: float) -> str:
    steering = {"density": density, "register": REGISTERS[0], "spread": SPREAD, "velocity": 80.0, param: before}
    fields = ", ".join(f"{k} = {v:g}" for k, v in steering.items())
    return (f'name = "Bench"\ntempo = {tempo:g}\nkey = "C"\nscale = "chromatic"\n'
            f'[[voices]]\nname = "v"\ninstrument = "epiano"\nregister = [36, 96]\nsteering = {{ {fields} }}\n'
            f'[[mappings]]\nsignal = "{SIGNAL}"\nvoice = "v"\nparam = "{param}"\nrange = [{before:g}, {after:g}]\n'
            f'default = 0.0\nsmoothing = {{ min_cutoff = 1000.0, beta = 0.0 }}\n')


def _rig(folder: Path, scene: str, generator: str) -> LoadedRig:
    (folder / "bench.toml").write_text(scene)
    rig = folder / "rig.toml"
    rig.write_text(f'name = "bench"\nscenes = ["bench.toml"]\nseed = 3\n[model]\ngenerator = "{generator}"\n'
                   '[audio]\nbackend = "offline"\n')
    return load_rig(rig)


def _notes(loaded: LoadedRig, jump_at: float, length: float) -> tuple[list[Note], float]:
    session = Session(events=[ControlEvent(jump_at, SIGNAL, 1.0)], header={"duration": length})
    notes, _, start = conduct(loaded, session, audio_settings(loaded.rig))
    return [n for n in notes if n.voice == "v"], start


def lags(jump: Jump, density: float, tempo: float, generator: str = "model") -> dict[str, float]:
    """Lag and excess over OFFSETS jump times for one jump at one density and tempo."""
    beat = 60.0 / tempo
    found: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        loaded = _rig(Path(folder), _scene(jump.param, jump.before, jump.after, density, tempo), generator)
        lookahead = loaded.rig.engine.lookahead_ms / 1000.0
        for k in range(OFFSETS):
            jump_at = (SETTLE_BARS * 4 + 4.0 * k / OFFSETS) * beat
            notes, start = _notes(loaded, jump_at, jump_at + 24 * beat + 16.0 / density * beat)
            t = start + jump_at
            after = [n for n in notes if n.start >= t]
            obeying = [n for n in after if jump.obeys(n, beat)]
            floor = [n for n in after if n.start >= t + lookahead]
            if obeying and floor:
                found.append((obeying[0].start - t, obeying[0].start - floor[0].start))
    return _summary(found)


def density_up(tempo: float = 120.0, generator: str = "model") -> dict[str, float | None]:
    """0.5 -> 4 notes per beat: when the first note at the new density sounds (its interval to the next note at
    most twice the new one); and after a 4 -> 0.5 jump, how many notes still come at the old density."""
    beat = 60.0 / tempo
    up, down = [], []
    with tempfile.TemporaryDirectory() as folder:
        rise = _rig(Path(folder), _scene("density", DENSITIES[0], DENSITIES[1], DENSITIES[0], tempo), generator)
        fall = _rig(Path(folder), _scene("density", DENSITIES[1], DENSITIES[0], DENSITIES[1], tempo), generator)
        for k in range(OFFSETS):
            jump_at = (SETTLE_BARS * 4 + 4.0 * k / OFFSETS) * beat
            notes, start = _notes(rise, jump_at, jump_at + 16 * beat)
            t = start + jump_at
            starts = [n.start for n in notes]
            dense = [a for a, b in zip(starts, starts[1:]) if b >= t and b - a <= 2 * beat / DENSITIES[1]]
            if dense:
                up.append(max(t, dense[0]) - t)
            notes, start = _notes(fall, jump_at, jump_at + 32 * beat)
            down.append(_old_density_notes([n.start for n in notes if n.start >= start + jump_at], beat))
    return {"density_up_first_note_ms_p50": round(1000 * float(np.median(up)), 1) if up else None,
            "density_up_measured": len(up), "density_down_old_notes_max": int(max(down)) if down else -1}


def _old_density_notes(starts: list[float], beat: float) -> int:
    """Notes after a 4 -> 0.5 jump still at the old density: those before the first interval of at least half
    the new one (one beat)."""
    for count, (a, b) in enumerate(zip(starts, starts[1:])):
        if b - a >= 0.5 * beat / DENSITIES[0]:
            return count
    return max(0, len(starts) - 1)


def _summary(found: list[tuple[float, float]]) -> dict[str, float]:
    if not found:
        return {"measured": 0}
    lag = np.array([f[0] for f in found]) * 1000
    excess = np.array([f[1] for f in found]) * 1000
    return {"lag_ms_p50": _ms(np.percentile(lag, 50)), "lag_ms_p90": _ms(np.percentile(lag, 90)),
            "lag_ms_max": _ms(lag.max()), "excess_ms_p99": _ms(np.percentile(excess, 99)), "measured": len(found)}


def _ms(value: float) -> float:
    return round(float(value), 1)


def scene_lags(generator: str = "model") -> dict[str, dict[str, float | None]]:
    """The shipped scenes' own register mappings (their ranges and smoothing): a jump of the mapped signal from 0
    to 1, and the first note of the mapped voice nearer the new register than the old."""
    result = {}
    for path in sorted(p for p in SCENES.glob("*.toml") if not p.name.endswith(".show.toml")):
        scene = load_scene(path)
        for mapping in (m for m in scene.mappings if m.param is SteerParam.register and m.voice):
            result[f"{scene.name}:{mapping.voice}:{mapping.signal}"] = _scene_lag(path, scene, mapping, generator)
    return result


def _scene_lag(path: Path, scene: SceneSpec, mapping: MappingSpec, generator: str) -> dict[str, float | None]:
    old, new = (mapping.range[1], mapping.range[0]) if mapping.invert else mapping.range
    bar = scene.bar_seconds
    found = []
    with tempfile.TemporaryDirectory() as folder:
        rig = Path(folder) / "rig.toml"
        rig.write_text(f'name = "bench"\nroot = "/"\nscenes = ["{path}"]\nseed = 3\n'
                       f'[model]\ngenerator = "{generator}"\n[audio]\nbackend = "offline"\n')
        loaded = load_rig(rig)
        for k in range(OFFSETS):
            jump_at = SETTLE_BARS * bar + bar * k / OFFSETS
            events: list[Event] = [ControlEvent(0.0, mapping.signal, 0.0), ControlEvent(jump_at, mapping.signal, 1.0)]
            notes, _, start = conduct(loaded, Session(events=events, header={"duration": jump_at + SCENE_WAIT}),
                                      audio_settings(loaded.rig))
            t = start + jump_at
            obeying = [n for n in notes if n.voice == mapping.voice and n.start >= t
                       and abs(n.pitch - new) < abs(n.pitch - old)]
            if obeying:
                found.append(obeying[0].start - t)
    lag = np.array(found) * 1000
    return {"lag_ms_p50": _ms(np.percentile(lag, 50)) if found else None,
            "lag_ms_p90": _ms(np.percentile(lag, 90)) if found else None, "obeyed": len(found), "jumps": OFFSETS}


def bench_response(generator: str = "model") -> dict[str, object]:
    """Every condition of the issue's table: register and velocity jumps at 0.5, 2 and 4 notes per beat and 60
    and 120 bpm, and the density jumps."""
    result: dict[str, object] = {"generator": generator, "offsets": OFFSETS}
    for name, jump in JUMPS.items():
        for density in (0.5, 2.0, 4.0):
            for tempo in (60.0, 120.0):
                result[f"{name}_{density:g}npb_{tempo:g}bpm"] = lags(jump, density, tempo, generator)
    result.update(density_up(120.0, generator))
    result["scene_lag_ms"] = scene_lags(generator)
    return result
