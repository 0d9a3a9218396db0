"""The engine on a real jackd (dummy driver): its health carries JACK's own xrun count, and a key played into a
real JACK MIDI port comes out of the engine's JACK output within the thru path's latency budget.

Counts and latencies here are in JACK frames, not wall-clock timings; the figures for the issue's targets come
from `performer bench audio`."""

from __future__ import annotations

import os
import signal
import time

import pytest

from performer.bench.jackbench import EngineRun, engine_settings
from performer.bench.jackd import JackServer
from performer.bench.latencyprobe import midi_to_audio
from tests.conftest import jack_connected, wait_until

PERIOD_MS = 1000 * 256 / 48000


@pytest.mark.slow
def test_health_counts_the_xruns_jack_logs_and_a_stalled_engine_adds_them(jack_server: JackServer):
    with EngineRun(jack_server, engine_settings(16)) as engine:
        time.sleep(1.5)  # the measured windows: past the engine's start, 4 s calm, a stall and 1.5 s after it
        health0, log0 = engine.health(), jack_server.xruns()
        time.sleep(4.0)
        health1, log1 = engine.health(), jack_server.xruns()
        calm = log1.since(log0)
        assert abs((health1.xruns - health0.xruns) - calm.total) <= 2, (health0, health1, calm)
        os.kill(engine.proc.pid, signal.SIGSTOP)  # the engine misses its deadlines: JACK must count it late
        time.sleep(0.3)
        os.kill(engine.proc.pid, signal.SIGCONT)
        time.sleep(1.5)
        health2, log2 = engine.health(), jack_server.xruns()
        stalled = log2.since(log1)
        # 0.3 s is 56 periods; jackd names the late client once per run of late cycles
        assert stalled.cycles >= 20 and stalled.clients.get("engine", 0) >= 1, stalled
        assert abs((health2.xruns - health1.xruns) - stalled.total) <= 2, (health1, health2, stalled)


@pytest.mark.slow
def test_keys_through_a_jack_midi_port_sound_within_two_periods(jack_server: JackServer):
    before = jack_server.xruns()
    result = midi_to_audio(jack_server, notes=20)
    xruns = jack_server.xruns().since(before).total
    # JACK drops a late client's MIDI for that cycle: a key may be lost only where JACK logged an xrun (this
    # machine's hypervisor stalls cause some; see docs/architecture.md), so with no xrun every key must sound.
    assert result["midi_keys_sent"] == 20
    assert 20 - min(result["midi_keys_heard"], result["engine_thru_count"]) <= xruns, (result, xruns)
    # a key read in one period sounds in the next, behind the limiter's 2 ms lookahead: at most 2 periods + 1 ms
    # for the median (a machine that stalls may delay the odd key by a period; the bench reports the p99)
    assert 0 < result["midi_to_audio_ms_p50"] <= 2 * PERIOD_MS + 1, result
    assert result["midi_to_audio_ms_max"] <= 4 * PERIOD_MS + 1, result


@pytest.mark.slow
def test_a_keyboard_plugged_in_late_or_replugged_plays_through(jack_server: JackServer, monkeypatch):
    """The engine joins its thru port to a keyboard that appears after it started, and again after the keyboard
    is unplugged and plugged back in, without reopening its own port under the running audio."""
    import rtmidi

    from synthesis.protocol import Thru

    def play(keyboard: rtmidi.MidiOut, keys: int) -> None:
        for k in range(keys):
            keyboard.send_message([0x90, 60 + k, 90])
            time.sleep(0.05)
            keyboard.send_message([0x80, 60 + k, 0])
            time.sleep(0.05)

    def plug() -> rtmidi.MidiOut:
        keyboard = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, "LateKeys")
        keyboard.open_virtual_port("out")
        return keyboard

    def thru_count(keys: int) -> int:
        """The engine's thru count once it reaches ``keys``, or after 3 s (JACK may drop a key in an xrun)."""
        deadline = time.monotonic() + 3.0
        while (count := engine.health().thru) < keys and time.monotonic() < deadline:
            pass  # each health() waits for the engine's next report, sent every second
        return count

    for key, value in jack_server.env.items():  # for rtmidi in this process
        monkeypatch.setenv(key, value)
    before = jack_server.xruns()
    with EngineRun(jack_server, engine_settings(8, effects=False, thru=("LateKeys",))) as engine:
        engine.send(Thru("epiano"))
        keyboard = plug()  # after the engine: it must join it within a second or so
        wait_until(lambda: jack_connected(jack_server, "LateKeys"), 1.8, "the engine joining the keyboard")
        play(keyboard, 5)
        first = thru_count(5)
        keyboard.close_port()  # unplugged
        time.sleep(1.2)  # for a while: the engine looks for keyboards each second
        keyboard = plug()  # and back
        wait_until(lambda: jack_connected(jack_server, "LateKeys"), 1.8, "the engine joining the keyboard again")
        play(keyboard, 5)
        second = thru_count(10)
        keyboard.close_port()
    xruns = jack_server.xruns().since(before).total
    assert 5 - first <= xruns and 0 < first <= 5, (first, xruns)  # a key lost only where JACK logged an xrun
    assert 10 - second <= xruns and first < second <= 10, (second, xruns)


@pytest.mark.slow
def test_a_key_held_on_a_keyboard_that_vanishes_is_released(jack_server: JackServer, monkeypatch):
    """Unplugged with a key down, a keyboard's note-off never comes: the engine releases what it held at its next
    look at the ports (each second) instead of letting it ring for HOLD_LIMIT."""
    import rtmidi

    from synthesis.protocol import Thru
    from synthesis.thru import HOLD_LIMIT

    for key, value in jack_server.env.items():
        monkeypatch.setenv(key, value)
    with EngineRun(jack_server, engine_settings(8, effects=False, thru=("GoneKeys",))) as engine:
        engine.send(Thru("pad"))
        keyboard = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, "GoneKeys")
        keyboard.open_virtual_port("out")
        wait_until(lambda: jack_connected(jack_server, "GoneKeys"), 3, "the engine joining the keyboard")
        keyboard.send_message([0x90, 60, 100])
        keyboard.send_message([0x90, 64, 100])
        wait_until(lambda: engine.health().voices >= 2, 5, "the held keys sounding")
        gone = time.monotonic()
        keyboard.close_port()  # pulled out, keys down
        wait_until(lambda: engine.health().voices == 0, 6, "the held keys released")
        released = time.monotonic() - gone
    assert released < HOLD_LIMIT / 10, released
