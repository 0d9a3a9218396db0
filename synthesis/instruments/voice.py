"""What every voice class offers its instrument: one protocol, so an instrument's pool, the engine and the tests
treat epiano, pluck, pad, bass and drums alike."""

from __future__ import annotations

from typing import Callable, Protocol

import pyo


class Voice(Protocol):
    """One voice of an instrument, built on its instrument's shared parameter signals (``brightness``, ...)."""

    nodes: list[pyo.PyoObject]  # the pyo objects stopped while the voice is asleep (silent voices cost nothing)

    def sig(self) -> pyo.PyoObject:
        """The voice's output, mixed into its instrument."""
        ...

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        """Play a note ``offset`` seconds into the coming buffer; ``busy``: the voice still sounds (its note
        stolen, or its own pitch struck again), so fade it first."""
        ...

    def release(self, offset: float) -> None:
        """End a held note (a key played through) from ``offset`` seconds into the coming buffer."""
        ...

    def silence(self) -> None:
        """To zero at once (after a panic)."""
        ...


# A voice class is built with its instrument's parameter signals and its pitch ratio (from the ``bend`` glide,
# 1 where there is none), by which every oscillator's frequency is multiplied: a bend moves the sounding notes.
VoiceClass = Callable[[dict[str, pyo.SigTo], pyo.PyoObject], Voice]
