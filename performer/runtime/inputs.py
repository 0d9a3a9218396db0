"""The conductor's inputs: MIDI ports, the OSC port and the cameras' private channel, each input thread stamping
its events on the wall clock and putting them on the conductor's inbox; nothing else happens on those threads.

Nothing that arrives can grow without bound. OSC pays by the message (per sender and in total) before it is
parsed; only the signals the show reads or the rig declares go on (``wanted``); the cameras have a channel of
their own that no OSC sender can reach; and the inbox takes OSC controls only while the conductor is less than
INBOX_CONTROLS events behind, anything else up to INBOX_MAX: past that, events are counted and dropped."""

from __future__ import annotations

import logging
import queue
from typing import Iterable, Protocol

import mido

from performer.config.loading import LoadedRig
from performer.config.rig import CameraConfig
from performer.config.signals import AUDIENCE, HAND_FEATURES
from performer.runtime.echoes import ExpectedEchoes
from performer.show.clock import WallClock
from performer.show.director import PRESENCE
from performer.show.status import mapped_signals
from sensors import oscshape
from sensors.errors import InputUnavailable
from sensors.events import ControlEvent, Event, PlayerMidi
from sensors.keyboard import KeyReader
from sensors.keys import key_events
from sensors.localchannel import LocalReceiver
from sensors.midi import MidiInputs, MidiTranslator, is_key
from sensors.osc import OscDispatcher
from sensors.oscgate import OscGate, TokenBucket
from sensors.oscnodes import SensorNodes
from sensors.ratelog import RateLimitedLog
from sensors.tally import Tally
from sensors.udp import UdpReceiver
from sensors.wanted import Wanted

log = logging.getLogger(__name__)

CAMERA_RATE = 5000.0  # messages a second per camera on its channel (a frame of 30 signals at 60 fps is 1,800)
INBOX_CONTROLS = 2_000  # events the conductor may be behind before OSC controls from the port are dropped ...
INBOX_MAX = 20_000  # ... and before anything is (camera signals, cues, MIDI, keys): at most a few MB
OSC_RCVBUF = 64 * 1024  # bytes the kernel queues for the OSC port (it doubles it): a flood is dropped there
OSC_CPU_SHARE = 0.25  # of a core, at most, for the OSC port's thread, whatever floods it


def camera_signals(cameras: Iterable[CameraConfig]) -> set[str]:
    """The signals the rig's cameras send: hand features, audience motion and each zone's."""
    cameras = list(cameras)
    names = {f"hand/{side}/{feature}" for side in ("left", "right") for feature in HAND_FEATURES
             if any(c.hands for c in cameras)}
    motion = [c for c in cameras if c.motion]
    names |= {f"audience/{name}" for name in AUDIENCE if motion}
    return names | {f"audience/zone/{zone.name}" for c in motion for zone in c.zones}


def sensor_nodes(cameras: Iterable[CameraConfig], t: float) -> SensorNodes:
    """The machines the rig's cameras with a ``node`` run on: from each, only its cameras' signals, within
    CAMERA_RATE a second per camera."""
    by_node: dict[str, list[CameraConfig]] = {}
    for camera in cameras:
        if camera.node:
            by_node.setdefault(camera.node, []).append(camera)
    return SensorNodes({node: (camera_signals(own), CAMERA_RATE * len(own)) for node, own in by_node.items()}, t)


def wanted(loaded: LoadedRig) -> Wanted:
    """What the rig listens for: the signals its scenes read (mappings, triggers, strikes), its routes, learned
    controls, cameras and declared ``osc.signals`` name (and presence, for a gallery), and its scenes' names."""
    rig = loaded.rig
    names = set(mapped_signals(loaded.scenes))
    names |= {route.signal for route in rig.osc.routes if "*" not in route.signal}
    names |= set(rig.midi.learned) | set(rig.osc.signals) | camera_signals(rig.cameras)
    names |= {PRESENCE} if rig.gallery is not None else set()
    return Wanted.of(names, (scene.name for scene in loaded.scenes))


class Inputs:
    """The rig's MIDI and OSC inputs and its cameras' channel (a socket at ``camera_channel``, in the run's
    private folder; "" for none), each putting stamped events on ``inbox``. Missing ones are logged once."""

    def __init__(self, loaded: LoadedRig, clock: WallClock, inbox: "queue.Queue[Event]",
                 echoes: ExpectedEchoes | None = None, keys: bool = False, camera_channel: str = "") -> None:
        self.clock, self.inbox, self.echoes = clock, inbox, echoes
        self.dropped = Tally()  # events the inbox had no room for, per kind
        self._log = RateLimitedLog(log)
        if keys:  # the monitor's keys, which the supervisor forwards on our stdin
            KeyReader(0, self._on_key).start()
        rig = loaded.rig
        self.thru = rig.midi.thru
        self.translator = MidiTranslator(rig.midi.learned)
        self._loaded, listened = loaded, wanted(loaded)
        self.osc = OscDispatcher(rig.osc.routes, listened)
        self.gate = OscGate(tuple(rig.osc.allow), rate=rig.osc.rate_limit, total=rig.osc.total_rate_limit)
        self.nodes = sensor_nodes(rig.cameras, clock.now())
        self.camera_osc = OscDispatcher((), listened)
        self.camera_budget = TokenBucket.full(CAMERA_RATE * max(1, len(rig.cameras)), None, clock.now())
        self.camera_limited = self.camera_received = self.osc_admitted = 0
        self.udp = self._open_osc(loaded) if rig.osc.enabled else None
        self.cameras = self._open_cameras(camera_channel) if camera_channel else None
        self.midi: MidiInputs | None = None
        try:
            self.midi = MidiInputs(rig.midi.api.value, [spec.port for spec in rig.midi.inputs], self._on_midi,
                                   own=f"{rig.audio.jack_name}-midi:")
        except InputUnavailable as err:
            log.warning("%s; going on without MIDI", err)

    def _open_osc(self, loaded: LoadedRig) -> UdpReceiver | None:
        osc = loaded.rig.osc
        try:
            udp = UdpReceiver(osc.host, osc.port, self._on_osc, name="osc", rcvbuf=OSC_RCVBUF,
                             cpu_share=OSC_CPU_SHARE).start()
        except InputUnavailable as err:
            log.warning("%s; going on without OSC", err)
            return None
        log.info("OSC: listening on %s:%d", osc.host, udp.port)
        return udp

    def _open_cameras(self, path: str) -> LocalReceiver | None:
        try:
            return LocalReceiver(path, self._on_camera, name="camera channel").start()
        except InputUnavailable as err:
            log.warning("%s; the cameras' signals will not be heard", err)
            return None

    def follow(self, loaded: LoadedRig) -> None:
        """The show changed (a scene reloaded): from now on its signals and scene names are the ones listened for."""
        if loaded is not self._loaded:
            self._loaded, listened = loaded, wanted(loaded)
            self.osc.want(listened)
            self.camera_osc.want(listened)

    def put(self, event: Event, limit: int = INBOX_MAX) -> None:
        """Onto the inbox, unless the conductor is ``limit`` events behind: then counted, and said now and then."""
        if self.inbox.qsize() < limit:
            self.inbox.put(event)
            return
        self.dropped.add(type(event).__name__)
        self._log.warning("inbox", "inputs: the conductor is %d events behind; %d dropped so far", limit,
                          sum(self.dropped.values()))

    def _on_key(self, char: str) -> None:
        for event in key_events(char, self.clock.now()):
            self.put(event)

    def _on_osc(self, dgram: bytes, sender: tuple[str, int]) -> None:
        now = self.clock.now()
        if (node := self.nodes.find(sender[0])) is not None:  # a sensor node: its own signals, its own budget
            for event in node.dispatch(dgram, now):
                self.put(event)
            return
        if not self.gate.admit(sender, dgram, now):
            return
        self.osc_admitted += 1
        for event in self.osc.dispatch(dgram, now):
            self.put(event, INBOX_CONTROLS if isinstance(event, ControlEvent) else INBOX_MAX)

    def _on_camera(self, dgram: bytes, sender: str | None) -> None:
        now = self.clock.now()
        self.camera_received += 1
        if not self.camera_budget.take(oscshape.cost(dgram), now):
            self.camera_limited += 1
            self._log.warning("camera", "inputs: the cameras send more than %g messages a second; %d datagrams "
                              "dropped", self.camera_budget.rate, self.camera_limited)
            return
        for event in self.camera_osc.dispatch(dgram, now):
            self.put(event)

    def _on_midi(self, message: mido.Message) -> None:
        t = self.clock.now()
        if self.echoes is not None and self.echoes.is_echo(message.bytes(), t):
            return  # the rig's own MIDI out, heard back: not the player's
        for event in self.translator.events(message, t):
            self.put(event)
        if self.thru and is_key(message):
            self.put(PlayerMidi(t, tuple(message.bytes())))

    def close(self) -> None:
        for receiver in (self.udp, self.cameras, self.midi):
            if receiver is not None:
                receiver.close()
        log.info("inputs: %s", self.summary())

    def summary(self) -> str:
        """What came in and what was turned away, in one line (the flood bench reads it)."""
        gate = self.gate
        return (f"camera channel {self.camera_received} datagrams, {self.camera_limited} over its budget; OSC "
                f"{self.osc_admitted} datagrams admitted, {sum(gate.limited.values()) + gate.over_total} over a rate, "
                f"{sum(gate.refused.values())} refused, {self.osc.unwanted_total} unwanted messages; "
                f"{sum(self.dropped.values())} events dropped at the inbox{self.nodes.summary()}")


class _Showing(Protocol):
    @property
    def loaded(self) -> LoadedRig: ...


class SceneFollower:
    """A looker for the conductor's loop: after a hot reload, OSC listens for the new scenes' signals and names."""

    def __init__(self, conductor: _Showing, inputs: Inputs) -> None:
        self.conductor, self.inputs = conductor, inputs

    def look(self, t: float) -> None:
        self.inputs.follow(self.conductor.loaded)
