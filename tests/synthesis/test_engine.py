"""The engine's promises, checked on offline renders: the limiter's ceiling under 64 loud notes, no NaN or
infinity, bad values clamped and counted, the order of voice stealing, and panic silence within 50 ms."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from performer.bench.analysis import band_peak, hz, spectrum
from synthesis.engine import Engine
from synthesis.offline import render_notes
from synthesis.protocol import Note, Panic, Param
from synthesis.scheduler import FrameClock
from synthesis.server import make_server
from synthesis.settings import AudioSettings
from synthesis.voices import VoicePool

INSTRUMENTS = ["epiano", "pluck", "pad", "bass", "drums"]


def _read(path: Path) -> np.ndarray:
    audio, _ = sf.read(path)
    return audio


def test_limiter_holds_the_ceiling_with_64_loud_notes(tmp_path):
    settings = AudioSettings(ceiling_db=-1.0, gain_db=12.0, voices=16)
    notes = [Note(0.1 + (i % 4) * 0.0007, 1.0, 36 + i % 48, 127, INSTRUMENTS[i % 5]) for i in range(64)]
    render_notes(notes, settings, tmp_path / "loud.wav")
    audio = _read(tmp_path / "loud.wav")
    assert np.isfinite(audio).all()
    ceiling = 10 ** (-1.0 / 20)
    assert np.abs(audio).max() <= ceiling + 1e-6  # 24-bit rounding is far below this
    assert np.abs(audio).max() > 0.5 * ceiling  # and it was loud enough to need the limiter


def test_bad_values_are_clamped_counted_and_never_reach_pyo(tmp_path):
    settings = AudioSettings(backend="offline")
    server = make_server(settings)
    try:
        engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=0.0), live=False)
        engine.submit(Note(0.1, math.nan, 60, 100, "epiano"))
        engine.submit(Note(math.inf, 1.0, 60, 100, "epiano"))
        engine.submit(Note(0.1, 0.5, 300, 100, "pluck"))
        engine.submit(Note(0.2, 0.5, 60, -5, "bass"))
        engine.submit(Note(0.3, 1e9, 60, 100, "pad"))
        engine.submit(Note(0.3, 0.5, 60, 100, "theremin"))
        server.recordOptions(dur=1.5, filename=str(tmp_path / "bad.wav"), fileformat=0, sampletype=1)
        server.start()
        health = engine.health()
    finally:
        server.shutdown()
    assert (health.dropped, health.clamped, health.played) == (3, 3, 3)
    assert np.isfinite(_read(tmp_path / "bad.wav")).all()


def test_voice_stealing_takes_the_oldest_first():
    pool = VoicePool(3)
    assert [pool.allocate(t, t + 1000, 60 + t)[0] for t in (0, 10, 20)] == [0, 1, 2]
    assert pool.allocate(30, 2000, 50) == (0, True)  # all busy: the oldest (started at 0) goes
    assert pool.allocate(40, 2000, 51) == (1, True)
    assert pool.stolen == 2
    assert pool.allocate(3000, 4000, 52) == (2, False)  # free again once silent: no stealing
    assert pool.allocate(3500, 5000, 52) == (2, True)  # its own pitch, still sounding: struck again on its voice
    assert pool.allocate(3600, 5000, 53) == (0, False)
    assert pool.stolen == 2  # a pitch struck again steals nothing


def test_a_stolen_voice_stops_and_the_others_sound_on(tmp_path):
    settings = replace(AudioSettings(effects=False), voices=2)
    notes = [Note(0.1, 2.0, 48, 100, "pad"), Note(0.3, 2.0, 55, 100, "pad"), Note(0.6, 2.0, 64, 100, "pad")]
    render_notes(notes, settings, tmp_path / "steal.wav")
    mono = _read(tmp_path / "steal.wav").mean(axis=1)
    sr = 48000
    freqs, mags = spectrum(mono, sr, 1.0, 1.8)
    level = {n.pitch: band_peak(freqs, mags, hz(n.pitch), 0.3)[1] for n in notes}
    assert level[48] < 0.01 * min(level[55], level[64])  # the first note's voice went to the third


def test_panic_silences_everything_within_50_ms(tmp_path):
    settings = AudioSettings(backend="offline")
    server = make_server(settings)
    panic_at = 1.0
    try:
        engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=0.0), live=False)
        for i, name in enumerate(INSTRUMENTS):
            engine.submit(Note(0.1 + i * 0.05, 3.0, 40 + 7 * i, 120, name))

        def callback() -> None:
            if engine.frame <= panic_at * settings.sample_rate < engine.frame + settings.buffer_size:
                engine.submit(Panic())
            engine._on_buffer()

        server.setCallback(callback)
        server.recordOptions(dur=6.0, filename=str(tmp_path / "panic.wav"), fileformat=0, sampletype=1)
        server.start()
    finally:
        server.shutdown()
    audio = _read(tmp_path / "panic.wav")
    sr = settings.sample_rate
    before = np.abs(audio[int(0.8 * sr):int(panic_at * sr)]).max()
    after = np.abs(audio[int((panic_at + 0.05) * sr):]).max()
    assert before > 0.05 and after < 1e-4, (before, after)  # nor does a reverb tail come back (effects reopen at 5 s)


def _render_with(messages: list, path: Path, seconds: float, effects: bool = False,
                 settings: AudioSettings | None = None) -> tuple[np.ndarray, Engine]:
    settings = replace(settings or AudioSettings(effects=effects), backend="offline")
    server = make_server(settings)
    try:
        engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=0.0), live=False)
        for message in messages:
            engine.submit(message)
        server.recordOptions(dur=seconds, filename=str(path), fileformat=0, sampletype=1)
        server.start()
    finally:
        server.shutdown()
    return _read(path).mean(axis=1), engine


def _centroid(mono: np.ndarray, start: float, end: float) -> float:
    freqs, mags = spectrum(mono, 48000, start, end)
    return float((freqs * mags).sum() / mags.sum())


def test_parameters_change_the_sound(tmp_path):
    note = Note(0.1, 1.0, 57, 100, "pad")
    dark, _ = _render_with([Param("pad", "brightness", 0.0), note], tmp_path / "dark.wav", 1.5)
    bright, _ = _render_with([Param("pad", "brightness", 1.0), note], tmp_path / "bright.wav", 1.5)
    assert _centroid(bright, 0.5, 1.0) > 1.5 * _centroid(dark, 0.5, 1.0)
    short_note = Note(0.1, 0.3, 60, 100, "epiano")
    short, _ = _render_with([Param("epiano", "release", 0.05), short_note], tmp_path / "short.wav", 1.5)
    long_, _ = _render_with([Param("epiano", "release", 1.5), short_note], tmp_path / "long.wav", 1.5)
    window = slice(int(0.6 * 48000), int(0.9 * 48000))
    assert np.abs(short[window]).max() < 1e-4 < np.abs(long_[window]).max()


def test_bad_parameters_are_dropped_or_clamped(tmp_path):
    messages = [Param("pad", "colour", 0.5), Param("theremin", "brightness", 0.5), Param("pad", "detune", math.nan),
                Param("pad", "attack", 99.0), Param("pad", "reverb", -1.0)]
    mono, engine = _render_with(messages + [Note(0.1, 0.5, 60, 100, "pad")], tmp_path / "p.wav", 1.0, effects=True)
    health = engine.health()
    assert (health.dropped, health.clamped) == (3, 2) and np.isfinite(mono).all()
    assert engine.instruments["pad"].params["attack"].value == 4.0


def test_param_survives_osc():
    from synthesis.protocol import decode

    assert decode(Param("bass", "brightness", 0.25).to_osc()) == Param("bass", "brightness", 0.25)


def test_health_survives_osc_with_xruns_and_cpu():
    from synthesis.protocol import Health, decode

    health = Health(gaps=1, voices=2, late=3, played=4, dropped=5, clamped=6, xruns=7, cpu=8, margin_us=-2500)
    assert decode(health.to_osc()) == health


def test_offline_health_reports_no_xrun_counter(tmp_path):
    _, engine = _render_with([Note(0.1, 0.2, 60, 90, "bass")], tmp_path / "h.wav", 0.5)
    health = engine.health()
    assert health.xruns == -1 and health.played == 1  # xruns come from JACK only


def _rms_per_second(mono: np.ndarray, sr: int) -> list[float]:
    return [20 * math.log10(max(1e-12, float(np.sqrt(np.mean(mono[i:i + sr] ** 2)))))
            for i in range(0, len(mono) - sr, sr)]


def test_a_gallery_loudness_cap_holds_after_a_second(tmp_path):
    notes = [Note(0.5 + (i // 6) * 2.0, 1.9, 48 + (i % 6) * 4, 120, ["pad", "bass", "epiano"][i % 3])
             for i in range(48)]
    levels = {}
    for cap in (None, -24.0):
        render_notes(notes, AudioSettings(gain_db=0.0, max_loudness_db=cap), tmp_path / "gallery.wav")
        audio, sr = sf.read(tmp_path / "gallery.wav")
        levels[cap] = _rms_per_second(audio.mean(axis=1), sr)[2:16]  # from 1.5 s after the first note
    assert min(levels[None]) > -24.0 + 10  # uncapped, this is far louder than the cap
    assert max(levels[-24.0]) <= -24.0 + 0.5, levels[-24.0]


def test_pool_sizes_per_instrument(tmp_path):
    settings = AudioSettings(voices=16, instrument_voices=(("pad", 4),))
    engine = _render_with([Note(0.1, 0.5, 60, 90, "pad")], tmp_path / "pools.wav", 1.0, settings=settings)[1]
    assert len(engine.instruments["pad"].voices) == 4 and len(engine.instruments["epiano"].voices) == 16


def test_a_cut_releases_the_voices_held_notes_only(tmp_path):
    """A voice that turns dense stops its long note: the cut releases that voice's held notes over their
    instrument's release, and leaves another voice's notes sounding."""
    from synthesis.protocol import Cut

    lead, bed = Note(0.1, 3.0, 69, 100, "epiano", voice="lead"), Note(0.1, 3.0, 57, 100, "pad", voice="bed")

    def band(messages: list, name: str, pitch: int, t0: float, t1: float) -> float:
        audio, _ = _render_with(messages, tmp_path / f"{name}.wav", 2.0)
        freqs, mags = spectrum(audio.reshape(len(audio), -1).mean(axis=1), 48000, t0, t1)
        return band_peak(freqs, mags, hz(pitch), 0.5)[1]

    # 1.5 to 1.9 s: the epiano's release (0.3 s) after the cut at 1.0 is over
    cut, whole, alone = (band(m, n, 69, 1.5, 1.9) for m, n in [([lead, bed, Cut("lead", at=1.0)], "cut"),
                                                                ([lead, bed], "whole"), ([bed], "alone")])
    assert whole > 5 * alone and cut == pytest.approx(alone, rel=0.1)  # only the pad's harmonic is left at A4
    assert band([lead, bed, Cut("lead", at=1.0)], "cut2", 57, 1.5, 1.9) == pytest.approx(
        band([lead, bed], "whole2", 57, 1.5, 1.9), rel=0.05)  # the bed plays on
    assert band([lead, bed, Cut("lead", at=1.0)], "cut3", 69, 0.5, 0.95) == pytest.approx(
        band([lead, bed], "whole3", 69, 0.5, 0.95), rel=1e-3)  # nothing changed before the cut
