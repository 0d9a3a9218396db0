"""The conductor's inputs: MIDI ports and the OSC port, each input thread stamping its events on the wall clock
and putting them on the conductor's inbox; nothing else happens on those threads."""

from __future__ import annotations

import logging
import queue

import mido

from performer.config.loading import LoadedRig
from performer.runtime.echoes import ExpectedEchoes
from performer.show.clock import WallClock
from sensors.errors import InputUnavailable
from sensors.events import Event, PlayerMidi
from sensors.keyboard import KeyReader
from sensors.keys import key_events
from sensors.midi import MidiInputs, MidiTranslator, is_key
from sensors.osc import OscDispatcher
from sensors.oscgate import OscGate
from sensors.udp import UdpReceiver

log = logging.getLogger(__name__)


class Inputs:
    """The rig's MIDI and OSC inputs, each putting stamped events on ``inbox``. Missing ones are logged once."""

    def __init__(self, loaded: LoadedRig, clock: WallClock, inbox: "queue.Queue[Event]",
                 echoes: ExpectedEchoes | None = None, keys: bool = False) -> None:
        self.clock, self.inbox, self.echoes = clock, inbox, echoes
        if keys:  # the monitor's keys, which the supervisor forwards on our stdin
            KeyReader(0, self._on_key).start()
        rig = loaded.rig
        self.thru = rig.midi.thru
        self.translator = MidiTranslator(rig.midi.learned)
        self.osc = OscDispatcher(rig.osc.routes)
        self.gate = OscGate(tuple(rig.osc.allow), rate=rig.osc.rate_limit)
        self.udp: UdpReceiver | None = None
        self.midi: MidiInputs | None = None
        if rig.osc.enabled:
            try:
                self.udp = UdpReceiver(rig.osc.host, rig.osc.port, self._on_osc, name="osc").start()
                log.info("OSC: listening on %s:%d", rig.osc.host, self.udp.port)
            except InputUnavailable as err:
                log.warning("%s; going on without OSC", err)
        try:
            self.midi = MidiInputs(rig.midi.api.value, [spec.port for spec in rig.midi.inputs], self._on_midi,
                                   own=f"{rig.audio.jack_name}-midi:")
        except InputUnavailable as err:
            log.warning("%s; going on without MIDI", err)

    def _on_key(self, char: str) -> None:
        for event in key_events(char, self.clock.now()):
            self.inbox.put(event)

    def _on_osc(self, dgram: bytes, sender: tuple[str, int]) -> None:
        now = self.clock.now()
        if not self.gate.admit(sender[0], now):
            return
        for event in self.osc.dispatch(dgram, now):
            self.inbox.put(event)

    def _on_midi(self, message: mido.Message) -> None:
        t = self.clock.now()
        if self.echoes is not None and self.echoes.is_echo(message.bytes(), t):
            return  # the rig's own MIDI out, heard back: not the player's
        for event in self.translator.events(message, t):
            self.inbox.put(event)
        if self.thru and is_key(message):
            self.inbox.put(PlayerMidi(t, tuple(message.bytes())))

    def close(self) -> None:
        if self.udp:
            self.udp.close()
        if self.midi:
            self.midi.close()
