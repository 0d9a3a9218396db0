"""MIDI clock out in the engine: the pure tempo map to clock bytes (which buffer each clock goes out in), then the
engine rendered offline with a list standing in for its MIDI port. The live clock on a real jackd, received by a
JACK MIDI client and timed on JACK's frame clock, is tests/runtime/test_midi_clock_jack.py."""

from __future__ import annotations

import math

from synthesis.clockout import CONTINUE, MAX_PER_BUFFER, START, STOP, TICK, ClockOut, Segment, song_position
from synthesis.protocol import Clock, ClockMode, decode

SR, BS = 48000, 256


def frame_of(t: float) -> int:
    """Frame 0 at time 0, as offline."""
    return round(t * SR)


def play(out: ClockOut, seconds: float, segments: dict[float, list[Clock]] | None = None,
         shift: float = 0.0) -> list[tuple[int, list[int]]]:
    """Run ``out`` buffer by buffer for ``seconds``, handing it each list of ``segments`` when the buffer starting
    at or after its key is reached (whole buffers only); each message with the first frame of the buffer it went out
    in."""
    sent: list[tuple[int, list[int]]] = []
    waiting = sorted((segments or {}).items())
    for frame in range(0, int(seconds * SR) - BS + 1, BS):
        while waiting and waiting[0][0] * SR <= frame:
            for clock in waiting.pop(0)[1]:
                segment = Segment.of(clock)
                assert segment is not None
                out.plan(segment)
        sent += [(frame, data) for data in out.due(frame + BS, lambda t: frame_of(t) - round(shift * SR))]
    return sent


def ticks(sent: list[tuple[int, list[int]]]) -> list[int]:
    return [frame for frame, data in sent if data == [TICK]]


def test_start_then_24_clocks_a_beat_each_in_the_buffer_it_falls_in():
    sent = play(ClockOut(), 3.0, {0.0: [Clock(1.0, 0.0, 0.5, ClockMode.START)]})
    assert sent[0] == (48000 // BS * BS, [START]) and sent[1] == (48000 // BS * BS, [TICK])
    expected = [(48000 + 1000 * k) // BS * BS for k in range(96)]  # 120 bpm: a clock every 1000 frames
    assert ticks(sent) == expected


def test_a_tempo_change_goes_on_counting_at_the_new_pace():
    out = ClockOut()
    sent = play(out, 3.0, {0.0: [Clock(0.5, 0.0, 0.5, ClockMode.START), Clock(1.5, 2.0, 0.25)]})
    assert [data for _, data in sent].count([START]) == 1 and [STOP] not in [data for _, data in sent]
    frames = ticks(sent)
    assert frames[:48] == [(24000 + 1000 * k) // BS * BS for k in range(48)]  # two beats at 120
    assert frames[48:] == [(72000 + 500 * k) // BS * BS for k in range(len(frames) - 48)]  # then at 240
    assert len(frames) == 48 + 144 and out.next_tick == 192


def test_stop_ends_the_clocks():
    sent = play(ClockOut(), 2.0, {0.0: [Clock(0.0, 0.0, 0.5, ClockMode.START), Clock(1.0, 2.0, 0.5, ClockMode.STOP)]})
    assert sent[-1] == (48000 // BS * BS, [STOP]) and len(ticks(sent)) == 48


def test_a_segment_replaces_what_was_planned_from_its_time_on():
    planned = [Clock(0.0, 0.0, 0.5, ClockMode.START), Clock(1.0, 2.0, 0.5, ClockMode.STOP)]
    sent = play(ClockOut(), 2.0, {0.0: planned, 0.5: [Clock(0.9, 1.8, 0.5)]})  # the stop is called off
    assert [STOP] not in [data for _, data in sent] and len(ticks(sent)) == 96


def test_a_run_heard_by_a_clock_that_is_not_running_locates_on_the_next_sixteenth():
    # a new engine hears the conductor's plan again: the song is at beat 10.3 at 1 s, 120 bpm
    sent = play(ClockOut(), 2.0, {0.0: [Clock(1.0, 10.3, 0.5)]})
    sixteenths = math.ceil(10.3 * 4)  # 42: beat 10.5
    assert [data for _, data in sent[:2]] == [song_position(sixteenths), [CONTINUE]]
    first = ticks(sent)[0]
    assert first == frame_of(1.0 + (10.5 - 10.3) * 0.5) // BS * BS  # the first clock is that sixteenth's


def test_a_run_that_disagrees_with_the_count_locates_there():
    sent = play(ClockOut(), 2.0, {0.0: [Clock(0.0, 0.0, 0.5, ClockMode.START), Clock(1.0, 40.0, 0.5)]})
    after = [data for frame, data in sent if frame >= 48000 // BS * BS]
    assert after[:4] == [[STOP], song_position(160), [CONTINUE], [TICK]]


def test_a_run_that_agrees_within_a_clock_only_sets_the_pace():
    sent = play(ClockOut(), 2.0, {0.0: [Clock(0.0, 0.0, 0.5, ClockMode.START), Clock(1.0, 2.0 + 1 / 24, 0.5)]})
    messages = [data for _, data in sent]
    assert messages.count([TICK]) == 96 + 1 and [STOP] not in messages  # one clock ahead from 1 s: caught up at once
    assert ticks(sent)[48] == ticks(sent)[49] == 47872  # the clock it was behind goes out with the next


def test_a_held_segment_sends_no_clocks_until_the_next():
    planned = [Clock(0.0, 0.0, 0.5, ClockMode.START), Clock(0.5, 1.0, math.inf), Clock(0.8, 1.0, 0.5)]
    frames = ticks(play(ClockOut(), 1.0, {0.0: planned}))
    assert len(frames) == 24 + 1 + 9  # beat 0, then the hold's clock on beat 1, then on from beat 1 at 0.8 s
    assert not [f for f in frames if 24000 + BS <= f < 38400 - BS]


def test_late_clocks_go_out_at_once_but_a_few_a_buffer():
    out = ClockOut()
    out.plan(Segment(0.0, 0.0, 0.5 / 24, ClockMode.START))
    first = out.due(BS, lambda t: frame_of(t) - 10 * SR)  # ten seconds late: 480 clocks are due
    assert first[0] == [START] and len(first) == 1 + MAX_PER_BUFFER


def test_the_message_round_trips_and_nonsense_is_refused():
    for clock in (Clock(12.5, 3.25, 0.5, ClockMode.LOCATE), Clock(1.0, 2.0, math.inf)):
        assert decode(clock.to_osc()) == clock
    assert Segment.of(Clock(math.nan, 0.0, 0.5)) is None
    assert Segment.of(Clock(1.0, 0.0, -0.5)) is None
    assert Segment.of(Clock(1.0, 0.0, math.nan)) is None
    assert song_position(300) == [0xF2, 300 & 0x7F, 300 >> 7]


class Port:
    """Stands in for the rig's MIDI out: keeps what is sent, and which buffer (by the engine's frame) it was."""

    def __init__(self) -> None:
        self.engine = None
        self.sent: list[tuple[int, list[int]]] = []

    def send(self, data: list[int]) -> None:
        self.sent.append((self.engine.frame if self.engine is not None else -1, list(data)))


def test_the_engine_sends_the_clock_on_its_midi_out(tmp_path):
    from synthesis.engine import Engine
    from synthesis.scheduler import FrameClock
    from synthesis.server import make_server
    from synthesis.settings import AudioSettings

    settings = AudioSettings(backend="offline", effects=False, midi_out=True)
    port = Port()
    server = make_server(settings)
    try:
        engine = Engine(server, settings, FrameClock(SR, origin=0.0), live=False, midi_out=port)
        port.engine = engine
        engine.submit(Clock(0.5, 0.0, 0.6, ClockMode.START))  # 100 bpm
        engine.submit(Clock(1.7, 2.0, 0.6, ClockMode.STOP))
        engine.submit(Clock(1.8, 0.0, 0.0))  # no tempo: dropped and counted
        server.recordOptions(dur=2.0, filename=str(tmp_path / "out.wav"), fileformat=0, sampletype=1)
        server.start()
    finally:
        server.shutdown()
    frames = [frame for frame, data in port.sent if data == [TICK]]
    start = round(0.5 * SR) - engine.latency  # as a note at 0.5 s: early by the limiter's lookahead
    assert port.sent[0] == (start // BS * BS, [START])
    assert frames == [(start + 1200 * k) // BS * BS for k in range(48)]  # 0.6 s a beat: a clock every 1200 frames
    assert port.sent[-1][1] == [STOP] and engine.counts.midi_out == 50 and engine.counts.dropped == 1
