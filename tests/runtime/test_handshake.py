"""The readiness handshake with real child processes: a child that answers, fails, exits or never says a word, and
`performer run` giving up on a silent child in one line within its deadline."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid

from performer.config.loading import load_rig
from performer.runtime import supervisor
from performer.runtime.handshake import Failed, Ready, Silent
from performer.runtime.supervisor import Child
from tests.conftest import RIGS, SCENES


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


ANNOUNCE = "from performer.runtime.handshake import Announcer; import time; a = Announcer.from_env(); "
SILENT = _python("import time; time.sleep(60)")  # prints nothing, writes nothing, never exits by itself


def test_a_child_that_answers_is_ready_with_what_it_reported():
    child = Child("engine", _python(ANNOUNCE + "a.ready(port=4321); time.sleep(60)"), ready_timeout=20.0)
    try:
        outcome = child.start()
        assert outcome == Ready({"port": 4321}) and child.alive()
    finally:
        child.stop()
    assert not child.alive()


def test_a_child_that_fails_says_why_and_is_stopped():
    child = Child("engine", _python(ANNOUNCE + "a.failed('device', 'no audio output device'); time.sleep(60)"))
    assert child.start() == Failed("device", "no audio output device")
    assert not child.alive()


def test_a_child_that_exits_without_a_word_is_reported_with_its_exit_code():
    child = Child("camera 0", _python("import sys; sys.exit(7)"))
    outcome = child.start()
    assert isinstance(outcome, Silent) and "exited (code 7)" in outcome.why and not outcome.stopped


def test_a_silent_child_misses_its_deadline_and_is_stopped():
    child = Child("conductor", SILENT, ready_timeout=1.0)
    began = time.monotonic()
    outcome = child.start()
    waited = time.monotonic() - began
    assert isinstance(outcome, Silent) and "within 1 s" in outcome.why
    assert 1.0 <= waited < 5.0  # the deadline held, and stopping it took at most the stop timeout
    assert not child.alive()


def test_a_stop_request_ends_the_wait_at_once():
    child = Child("engine", SILENT, ready_timeout=60.0)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    began = time.monotonic()
    outcome = child.start(stop)
    assert isinstance(outcome, Silent) and outcome.stopped and time.monotonic() - began < 5.0
    assert not child.alive()


def test_performer_run_gives_up_on_a_silent_engine_in_one_line(tmp_path, monkeypatch, capsys):
    # The one stand-in: the engine's command is replaced by a process that never answers (a hung engine cannot
    # be produced on purpose otherwise). The supervisor, its deadline and its exit are the real ones.
    rig = tmp_path / "stage.toml"
    rig.write_text((RIGS / "stage.toml").read_text().replace('"../scenes/', f'"{SCENES}/')
               .replace('root = ".."', 'root = "/"'))
    monkeypatch.setattr(supervisor, "engine_argv", lambda settings: SILENT)
    monkeypatch.setattr(supervisor, "has_keys", lambda: False)
    args = argparse.Namespace(record=None, notes_log=None, hold=None, duration=None, fallback_render=None)
    began = time.monotonic()
    code = supervisor.run_rig(load_rig(rig), args, ready_timeout=1.5)
    assert code == 1 and time.monotonic() - began < 8.0
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["performer: the engine did not say it was ready within 1.5 s; stopping"]


def test_a_missing_audio_output_is_one_line_and_exit_3(performer_cmd):
    # A JACK rig pointed at a JACK server that does not exist (and may not be started for it): the engine's
    # handshake reports a device failure, and the supervisor says so once; nothing pyo prints gets through.
    env = dict(os.environ, JACK_DEFAULT_SERVER=f"no-such-server-{uuid.uuid4().hex[:8]}", JACK_NO_START_SERVER="1")
    result = subprocess.run(performer_cmd + ["run", str(RIGS / "stage.toml")], env=env, capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("performer: ") and "nothing to play on" in lines[0], lines
