"""`performer devices` on a real jackd (dummy driver): it lists the server's playback ports and the test's own JACK
MIDI ports, each with a rig line that selects it; with no server, one line says so."""

from __future__ import annotations

import re
import subprocess

import rtmidi
import tomlkit


def test_devices_lists_the_tests_own_jack_ports(jack_server, monkeypatch, performer_cmd):
    for key, value in jack_server.env.items():  # rtmidi in this process opens its ports on the test's server
        monkeypatch.setenv(key, value)
    keys = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, "devices-test")
    keys.open_virtual_port("keys (1)")
    synth = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, "devices-test-synth")
    synth.open_virtual_port("in")
    try:
        out = subprocess.run(performer_cmd + ["devices"], env=jack_server.env, capture_output=True, text=True,
                             timeout=60)
    finally:
        keys.close_port()
        synth.close_port()
    assert out.returncode == 0, out.stderr
    sections = dict(re.findall(r"^(\S[^:\n]*): [^\n]*\n((?:  [^\n]*\n?)*)", out.stdout, re.MULTILINE))
    assert "system:playback_1" in sections["Audio outputs (JACK)"], out.stdout
    inputs = [str(tomlkit.parse(line.strip())["port"]) for line in sections["MIDI inputs (JACK)"].splitlines()]
    assert [p for p in inputs if re.search(p, "devices-test:keys (1)")], inputs  # the rig line finds the port
    outputs = [str(tomlkit.parse(line.strip())["port"]) for line in sections["MIDI outputs (JACK)"].splitlines()]
    assert [p for p in outputs if re.search(p, "devices-test-synth:in")], outputs


def test_devices_without_a_jack_server_says_so(performer_cmd, monkeypatch):
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "performer-no-such-server")
    out = subprocess.run(performer_cmd + ["devices"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Audio outputs (JACK): [audio] backend = \"jack\"\n  (no JACK server running)" in out.stdout
    assert "Cameras: [[cameras]]" in out.stdout
