"""MIDI clock out, live: `performer run` on a real jackd (dummy driver) sends its clock to a JACK MIDI client,
which stamps each message with JACK's frame clock, so every figure here is counted in samples. The same run is
`performer bench clock`, which reports the jitter over longer runs."""

from __future__ import annotations

import pytest

from performer.bench.clock import clock_run, follow_run
from performer.bench.jackd import JackServer

pytestmark = [pytest.mark.jack, pytest.mark.slow]

TEMPO = 97.0  # not a round number of frames a clock: 48000 * 60 / 97 / 24 = 1237.1


def test_a_live_rig_sends_its_scenes_tempo_as_midi_clock(jack_server: JackServer, tmp_path) -> None:
    figures = clock_run(jack_server, tmp_path, TEMPO, seconds=8.0)
    print(f"MIDI clock at {TEMPO:g} bpm on jackd 48 kHz / {figures['period_frames']} frames: {figures}")
    assert figures["start_before_first_clock"] and figures["stop_after_last_clock"], figures
    assert figures["beats"] >= 8, figures  # the show played for most of the run
    assert abs(figures["interval_error_pct"]) < 1.0, figures  # 24 a beat, at the scene's tempo
    period = figures["period_ms"]
    # rtmidi's JACK port puts each message at the start of the cycle after the one it was sent in, so a clock lies
    # within half a period of the grid (RMS period / sqrt(12): 1.55 ms on a realtime jackd, `performer bench
    # clock`), or now and then a period early, when JACK runs the port's client after the engine's in the same
    # cycle. This jackd runs without realtime priority, and where it loses time (an xrun) the engine's clock
    # mapping steps by about a period to keep notes and clocks on the wall clock.
    assert figures["jitter_rms_ms"] < period, figures
    assert figures["jitter_max_ms"] < 2.0 * period + 0.5, figures


def test_a_live_rig_follows_an_incoming_midi_clock(jack_server: JackServer, tmp_path) -> None:
    """A master clock at 110 bpm into the rig's clock_in; its scene (90 bpm, link = true) follows, and so does the
    rig's own clock out, Start and Stop included, each on the rig's next bar line."""
    figures = follow_run(jack_server, tmp_path, 110.0, seconds=8.0)
    print(f"following a master at 110 bpm: {figures}")
    assert figures["start_before_first_clock"] and figures["stop_after_last_clock"], figures
    assert abs(figures["interval_error_pct"]) < 1.0, figures  # the master's tempo, not the scene's 90
    bar = 4 * 60000 / 110
    # the tempo is known after a beat of clocks: the show starts on the master's next bar line (its second), and
    # stops on the bar line after the master's Stop
    assert 0.9 * bar < figures["start_after_master_ms"] < 2.1 * bar, figures
    assert 0 < figures["stop_after_master_ms"] < 1.1 * bar, figures
