"""The conductor's line to the engine process: protocol messages as OSC datagrams over loopback UDP."""

from __future__ import annotations

import socket

from performer.runtime.echoes import ExpectedEchoes
from performer.runtime.recording import Lines
from synthesis.protocol import Clock, Cut, Loudness, Note, Panic, Param, Thru


class EngineLink:
    """A NoteSink that sends to the engine, optionally logging each note (JSON lines) relative to ``origin``."""

    def __init__(self, host: str, port: int, origin: float, log_to: Lines | None = None,
                 echoes: ExpectedEchoes | None = None) -> None:
        self.address = (host, port)
        self.echoes = echoes
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.origin = origin
        self.log_to = log_to

    def send(self, note: Note) -> None:
        self._send(note.to_osc())
        self._log(note)
        if self.echoes is not None:
            self.echoes.scheduled(note)

    def played(self, note: Note) -> None:
        """A player's note, which the engine played through already: only logged."""
        self._log(note)

    def _log(self, note: Note) -> None:
        if self.log_to is not None:
            self.log_to.line({"t": round(note.start - self.origin, 6), "clock": note.start,
                              "duration": round(note.duration, 6), "pitch": note.pitch, "velocity": note.velocity,
                              "voice": note.voice, "instrument": note.instrument, "channel": note.channel})

    def param(self, param: Param) -> None:
        self._send(param.to_osc())

    def panic(self) -> None:
        self._send(Panic().to_osc())

    def thru(self, thru: Thru) -> None:
        self._send(thru.to_osc())

    def loudness(self, loudness: Loudness) -> None:
        self._send(loudness.to_osc())

    def cut(self, cut: Cut) -> None:
        self._send(cut.to_osc())

    def clock(self, clock: Clock) -> None:
        """A segment of the MIDI clock's tempo map."""
        self._send(clock.to_osc())

    def _send(self, dgram: bytes) -> None:
        try:
            self.sock.sendto(dgram, self.address)
        except OSError:
            pass  # the engine is restarting; the supervisor brings it back, and notes carry their own time

    def close(self) -> None:
        self.sock.close()
