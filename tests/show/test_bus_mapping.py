"""The control bus and scene mappings: clamping, defaults, curves, inversion and One-Euro smoothing."""

from __future__ import annotations

import math

from performer.config.scene import MappingSpec
from performer.music.steering import Steering, SteerParam
from performer.show.bus import ControlBus
from performer.show.mapping import Mapping, steer
from sensors.events import ControlEvent


def spec(**kw: object) -> MappingSpec:
    base: dict[str, object] = {"signal": "midi/cc/1", "param": "register", "range": [60, 80]}
    base.update(kw)
    return MappingSpec.model_validate(base)


def test_bus_clamps_and_counts_and_drops_nan() -> None:
    bus = ControlBus()
    assert bus.publish(ControlEvent(0.0, "osc/a", 1.7))
    assert bus.value("osc/a", 0.5) == 1.0
    assert bus.publish(ControlEvent(0.1, "osc/a", -3.0))
    assert bus.value("osc/a", 0.5) == 0.0
    assert not bus.publish(ControlEvent(0.2, "osc/a", math.nan))
    assert bus.value("osc/a", 0.5) == 0.0
    assert bus.stats.clamped["osc/a"] == 2 and bus.stats.dropped["osc/a"] == 1
    assert bus.value("never/seen", 0.25) == 0.25


def test_default_range_invert_and_curves() -> None:
    bus = ControlBus()
    assert Mapping(spec(default=0.5), 100).update(bus) == 70.0  # absent: the default goes through the mapping
    bus.publish(ControlEvent(0.0, "midi/cc/1", 0.25))
    assert Mapping(spec(), 100).update(bus) == 65.0
    assert Mapping(spec(invert=True), 100).update(bus) == 75.0
    exp = Mapping(spec(curve="exponential"), 100).update(bus)
    log = Mapping(spec(curve="logarithmic"), 100).update(bus)
    s = Mapping(spec(curve="scurve"), 100).update(bus)
    assert 60 < exp < 65 < log < 80 and 60 < s < 65
    bus.publish(ControlEvent(0.0, "midi/cc/1", 1.0))
    for curve in ("linear", "exponential", "logarithmic", "scurve"):
        assert math.isclose(Mapping(spec(curve=curve), 100).update(bus), 80.0)


def test_one_euro_smooths_a_step_and_converges() -> None:
    bus = ControlBus()
    mapping = Mapping(spec(default=0.0, smoothing={"min_cutoff": 1.0, "beta": 0.0}), 100)
    mapping.update(bus)
    bus.publish(ControlEvent(0.0, "midi/cc/1", 1.0))
    first = mapping.update(bus)
    assert 60.0 < first < 62.0  # a 1 Hz cutoff at 100 Hz moves ~6 % of the way per tick
    values = [mapping.update(bus) for _ in range(300)]
    assert all(a <= b for a, b in zip(values, values[1:]))  # no overshoot, monotone approach
    assert values[-1] > 79.9


def test_steer_targets_voice_or_all() -> None:
    bus = ControlBus()
    bus.publish(ControlEvent(0.0, "midi/cc/1", 1.0))
    only_lead = Mapping(spec(voice="lead"), 100)
    everyone = Mapping(spec(signal="midi/cc/2", param="density", range=[0.5, 4.0], default=0.0), 100)
    only_lead.update(bus)
    everyone.update(bus)
    base = Steering(density=1.0, register=50.0)
    lead = steer(base, "lead", [only_lead, everyone])
    bass = steer(base, "bass", [only_lead, everyone])
    assert lead.register == 80.0 and bass.register == 50.0
    assert lead.density == bass.density == 0.5
    assert Steering(density=99, register=-5).clamped().density == 8.0
    assert Steering(register=-5).clamped().register == 21.0
    assert SteerParam("density") is SteerParam.density


def test_released_signals_glide_to_each_readers_default():
    from performer.show.bus import RELEASE_GLIDE

    bus = ControlBus()
    bus.publish(ControlEvent(0.0, "hand/right/x", 1.0))
    bus.publish(ControlEvent(0.0, "audience/energy", 0.8))
    assert bus.release("hand", 10.0) == 1
    bus.now = 10.0 + RELEASE_GLIDE / 2
    assert bus.value("hand/right/x", 0.5) == 0.75 and bus.value("hand/right/x", 0.0) == 0.5  # halfway
    assert bus.value("audience/energy", 0.0) == 0.8  # other sensors keep theirs
    bus.now = 20.0
    assert bus.value("hand/right/x", 0.3) == 0.3
    bus.publish(ControlEvent(21.0, "hand/right/x", 0.9))  # the camera came back
    assert bus.value("hand/right/x", 0.3) == 0.9


def test_sessions_record_releases(tmp_path):
    from performer.config.session import read_session
    from performer.runtime.recording import SessionWriter
    from sensors.events import ReleaseEvent

    writer = SessionWriter(tmp_path / "s.jsonl", origin=1.0)
    writer.write(ReleaseEvent(3.0, "hand"))
    writer.close()
    assert read_session(tmp_path / "s.jsonl").events == [ReleaseEvent(2.0, "hand")]
