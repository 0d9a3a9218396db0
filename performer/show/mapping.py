"""Mappings turn bus signals into steering: default when absent, invert, curve, One-Euro smoothing, range."""

from __future__ import annotations

import math
from typing import Callable

from OneEuroFilter import OneEuroFilter

from performer.config.scene import Curve, MappingSpec
from performer.music.steering import Steering, SteerParam
from performer.show.bus import ControlBus

CURVES: dict[Curve, Callable[[float], float]] = {
    Curve.linear: lambda x: x,
    Curve.exponential: lambda x: (math.exp(3.0 * x) - 1.0) / (math.exp(3.0) - 1.0),
    Curve.logarithmic: lambda x: math.log1p((math.exp(3.0) - 1.0) * x) / 3.0,
    Curve.scurve: lambda x: x * x * (3.0 - 2.0 * x),
}


class Mapping:
    """One scene mapping, evaluated at the conductor's control rate so smoothing is the same live and offline."""

    def __init__(self, spec: MappingSpec, control_rate: float) -> None:
        self.spec = spec
        self._filter = None
        if spec.smoothing is not None:
            s = spec.smoothing
            self._filter = OneEuroFilter(control_rate, mincutoff=s.min_cutoff, beta=s.beta, dcutoff=s.d_cutoff)
        self.value = self._scale(self._shape(spec.default))
        self.sent: float | None = None  # for instrument parameters: the value last sent to the engine

    def _shape(self, x: float) -> float:
        """Invert, then curve, a 0..1 value."""
        x = 1.0 - x if self.spec.invert else x
        return CURVES[self.spec.curve](x)

    def _scale(self, x: float) -> float:
        lo, hi = self.spec.range
        return lo + (hi - lo) * x

    def update(self, bus: ControlBus) -> float:
        """Read the bus (or the default), shape and smooth the value, and return it in the parameter's units."""
        shaped = self._shape(bus.value(self.spec.signal, self.spec.default))
        if self._filter is not None:
            shaped = self._filter(shaped)
        self.value = self._scale(min(1.0, max(0.0, shaped)))
        return self.value

    def changed(self) -> bool:
        """Whether the value moved enough since it was last sent to be worth sending (0.2 % of the range)."""
        lo, hi = self.spec.range
        return self.sent is None or abs(self.value - self.sent) > 0.002 * abs(hi - lo)

    def applies_to(self, voice: str) -> bool:
        """Whether this mapping steers ``voice`` (a mapping with no voice steers all)."""
        return self.spec.voice is None or self.spec.voice == voice


def steer(base: Steering, voice: str, mappings: list[Mapping]) -> Steering:
    """The voice's steering: its defaults overridden by the current value of each mapping that targets it."""
    values: dict[SteerParam, float] = {m.spec.param: m.value for m in mappings
                                       if isinstance(m.spec.param, SteerParam) and m.applies_to(voice)}
    return base.with_values(values)
