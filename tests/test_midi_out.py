"""The rig's MIDI out and feedback suppression.

Pure logic first (which bytes go out when; which incoming messages are echoes), then the engine rendered offline
with a loopback stand-in for its MIDI ports (an offline render has no MIDI system), then the whole rig live on a
real jackd, its MIDI out looped back into its controller's port over real JACK MIDI ports."""

from __future__ import annotations

from sensors.midiecho import EchoFilter
from synthesis.midiout import NotesOut, all_notes_off, note_off, note_on


def test_notes_go_out_on_their_channel_and_end_once():
    out = NotesOut(channels=(1, 10))
    assert out.start(2, 60, 100, end=50) == []  # channel 2 is not sent
    assert out.start(1, 60, 100, end=50) == [note_on(1, 60, 100)]
    assert out.start(10, 36, 90, end=20) == [note_on(10, 36, 90)]
    assert out.due(20) == []  # due strictly before 20
    assert out.due(21) == [note_off(10, 36)]
    # the same key again while it sounds: the old note ends first, and its own note-off is skipped later
    assert out.start(1, 60, 80, end=90) == [note_off(1, 60), note_on(1, 60, 80)]
    assert out.due(60) == []
    assert out.due(91) == [note_off(1, 60)]
    assert out.sounding == {}


def test_all_off_ends_every_sounding_key_and_every_channel_used():
    out = NotesOut()
    out.start(3, 64, 100, end=100)
    out.start(4, 40, 100, end=100)
    out.due(200)
    out.start(4, 43, 100, end=300)
    assert out.all_off() == [note_off(4, 43)] + all_notes_off([3, 4])
    assert out.due(1000) == []  # nothing pending once all is off


def test_an_echo_is_dropped_once_within_its_window():
    echo = EchoFilter(window=0.1)
    echo.sent(note_on(1, 60, 100), 1.0)
    echo.sent([0x80, 60, 0], 2.0)
    assert echo.is_echo(note_on(1, 60, 100), 1.004)
    assert not echo.is_echo(note_on(1, 60, 100), 1.006)  # one sent, one echo: the player's own repeat is kept
    assert not echo.is_echo(note_on(1, 60, 99), 1.0)  # another velocity is the player's
    assert not echo.is_echo(note_on(2, 60, 100), 1.0)  # another channel too
    assert echo.is_echo([0x90, 60, 0], 2.05)  # a note-on of velocity 0 is the note-off it means
    echo.sent(note_on(1, 62, 100), 3.0)
    assert not echo.is_echo(note_on(1, 62, 100), 3.2)  # too late to be an echo
    assert echo.echoes == 2


def test_expected_messages_match_a_little_before_their_time_too():
    """The conductor expects the engine's sends at the notes' times; an echo may arrive a buffer either side."""
    echo = EchoFilter(window=0.1)
    echo.sent(note_on(1, 60, 100), 5.0)
    assert echo.is_echo(note_on(1, 60, 100), 4.99)
    assert not echo.is_echo(note_on(1, 60, 100), 4.99)


def test_no_window_no_suppression():
    echo = EchoFilter(window=0.0)
    echo.sent(note_on(1, 60, 100), 1.0)
    assert not echo.is_echo(note_on(1, 60, 100), 1.0)


def test_expired_entries_are_swept():
    echo = EchoFilter(window=0.1)
    for i in range(2000):
        echo.sent(note_on(1, i % 128, 100), i * 0.01)
        echo.is_echo([0xB0, 1, 0], i * 0.01)  # time moves on as messages are heard
    assert sum(len(times) for times in echo.sent_at.values()) < 600


class Loopback:
    """Stands in for the rig's MIDI out and for a controller port that echoes it back (a synth's MIDI thru merged
    into the keyboard's): what the engine sends comes back on its next poll, among the player's scripted keys.
    The engine polls until None once per buffer, so each None ends a buffer."""

    def __init__(self, keys: list[tuple[int, list[int]]]) -> None:
        self.keys = sorted(keys)
        self.sent: list[tuple[int, list[int]]] = []
        self.echoing: list[list[int]] = []
        self.buffer = 0

    def send(self, data: list[int]) -> None:
        self.sent.append((self.buffer - 1, list(data)))  # the engine polled this buffer already: one None more
        self.echoing.append(list(data))

    def get_message(self) -> tuple[list[int], float] | None:
        if self.keys and self.keys[0][0] <= self.buffer:
            return self.keys.pop(0)[1], 0.0
        if self.echoing:
            return self.echoing.pop(0), 0.0
        self.buffer += 1
        return None


def test_the_engine_sends_its_notes_out_and_drops_their_echoes(tmp_path):
    from synthesis.engine import Engine
    from synthesis.protocol import Note, Thru
    from synthesis.scheduler import FrameClock
    from synthesis.server import AudioSettings, make_server

    sr, bs = 48000, 256
    settings = AudioSettings(backend="offline", effects=False, midi_out=True, midi_out_channels=(1,))
    notes = [Note(0.5, 0.3, 60, 100, "epiano", channel=1), Note(1.0, 0.2, 64, 90, "pad", channel=2),
             Note(2.0, 10.0, 67, 80, "epiano", channel=1)]
    # the player: a key of their own, and later the very bytes of the model's first note, but long after its echo
    player = [(120, note_on(1, 72, 64)), (130, [0x80, 72, 0]), (300, note_on(1, 60, 100)), (310, [0x80, 60, 0])]
    loop = Loopback(player)
    server = make_server(settings)
    try:
        engine = Engine(server, settings, FrameClock(sr, origin=0.0), live=False)
        engine.midi_in, engine.midi_out = [loop], loop
        engine.submit(Thru("epiano"))
        for note in notes:
            engine.submit(note)
        server.recordOptions(dur=3.0, filename=str(tmp_path / "out.wav"), fileformat=0, sampletype=1)
        server.start()
        engine.panic()  # as at the end of a show: what still sounds is ended
    finally:
        server.shutdown()
    latency = engine.latency

    def buffer_of(t: float) -> int:
        return (round(t * sr) - latency) // bs

    first_end = round(0.8 * sr) - latency
    assert loop.sent[:3] == [(buffer_of(0.5), note_on(1, 60, 100)), ((first_end - bs) // bs + 1, note_off(1, 60)),
                             (buffer_of(2.0), note_on(1, 67, 80))]  # channel 2 stays in
    assert [data for _, data in loop.sent[3:]] == [note_off(1, 67)] + all_notes_off([1])
    assert engine.counts.midi_out == 5
    assert engine.counts.echoes == 3  # every echo heard back (the panic's come back after the render)
    assert engine.counts.thru == 2  # the player's two keys, even the one equal to an earlier echo
