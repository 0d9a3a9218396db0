"""Files that cannot hurt: every broken rig, scene, show, session or weights file the issue tried (and more) gives
exactly one line naming the file and the field, exit code 2, and nothing else: no traceback, no coercion, no read
out of the rig's folder, no endless read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from performer.cli import main
from tests.conftest import SCENES

DAWN = (SCENES / "dawn.toml").read_text()
RIG = 'name = "t"\nscenes = ["dawn.toml"]\n'


def _one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line; it must refuse with exit code 2 and exactly one line on stderr, which is returned."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert out == "" and err.count("\n") == 1, err
    return err.strip()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A rig's folder with its own copy of Dawn, so that the rig's root is the folder itself."""
    (tmp_path / "dawn.toml").write_text(DAWN)
    return tmp_path


# (the file the test writes, its text or bytes, what the one line must say, and the field it must name)
CASES = [
    ("rig.toml", b"\x89PNG\r\n\x1a\n\x00\x00", "expected UTF-8 text, found byte 0x89 at offset 0", ""),
    ("rig.toml", RIG.encode("utf-16"), "expected UTF-8 text, found byte 0xff", ""),
    ("dawn.toml", DAWN.replace("Dawn", "Dawn caf\u00e9").encode("latin-1"), "found byte 0xe9", ""),
    ("rig.toml", (RIG + "x = " + "[" * 3000 + "]" * 3000 + "\n").encode(), "nested deeper than", ""),
    ("rig.toml", (RIG + "# " + "x" * (1 << 20) + "\n").encode(), "larger than the 1024 KB", ""),
    ("rig.toml", (RIG + "[osc]\nenabled = \"off\"\n").encode(), "expected a valid boolean, got 'off'", "osc.enabled"),
    ("rig.toml", (RIG + "seed = 1.5\n").encode(), "expected a valid integer", "seed"),
    ("rig.toml", (RIG + "[osc]\nrate_limit = nan\n").encode(), "expected a finite number", "osc.rate_limit"),
    ("rig.toml", (RIG + '[[midi.inputs]]\nport = "Launch(pad"\n').encode(), "expected a regular expression",
     "midi.inputs[0].port"),
    ("rig.toml", (RIG + '[gallery]\nidle_after_minutes = inf\n[gallery.hours]\nmon = [["10:00", "18:00"]]\n').encode(),
     "expected a finite number", "gallery.idle_after_minutes"),
    ("rig.toml", (RIG + '[gallery]\n[gallery.hours]\nmon = [[10:00:00, "18:00"]]\n').encode(),
     "expected a string in quotes", "gallery.hours.mon[0][0]"),
    ("rig.toml", b'name = "t"\nscenes = ["../../etc/passwd"]\n', "expected a path inside the rig's root", "scenes[0]"),
    ("rig.toml", b'name = "t"\nscenes = ["/etc/passwd"]\n', "expected a path inside the rig's root", "scenes[0]"),
    ("rig.toml", (RIG + '[gallery]\nstate_file = "/tmp/gallery.json"\n[gallery.hours]\nmon = []\n').encode(),
     "expected a path inside the rig's root", "gallery.state_file"),
    ("rig.toml", (RIG + '[model]\nweights = "../w.pt"\n').encode(), "expected a path inside", "model.weights"),
    ("rig.toml", b'name = "t"\nroot = "/"\nscenes = ["/dev/zero"]\n', "expected a regular scene file", "scenes[0]"),
    ("dawn.toml", DAWN.replace("tempo = 84", 'tempo = "84"').encode(), "expected a valid number, got '84'", "tempo"),
    ("rig.toml", b'name = "t"\nscenes = ["' + b"x" * 300 + b'.toml"]\n', "cannot read it (File name too long)",
     "scenes[0]"),
    ("rig.toml", b'name = "t"\nscenes = ["dawn\\u0000.toml"]\n', "embedded null byte", "scenes[0]"),
]


@pytest.mark.parametrize("name, content, expected, field", CASES,
                         ids=[f"{i}-{c[0]}-{c[2][:24]}" for i, c in enumerate(CASES)])
def test_a_bad_rig_or_scene_is_one_line_naming_file_and_field(folder, capsys, name, content, expected, field):
    (folder / "rig.toml").write_text(RIG)
    (folder / name).write_bytes(content)
    line = _one_line(capsys, ["check", str(folder / "rig.toml")])
    assert line.startswith(f"{folder / name}: {field + ': ' if field else ''}"), line
    assert expected in line, line


def test_a_show_that_says_loop_yes_is_refused(folder, capsys):
    (folder / "a.show.toml").write_text('name = "S"\nscenes = ["dawn.toml"]\nloop = "yes"\n')
    line = _one_line(capsys, ["check", str(folder / "a.show.toml")])
    assert line == f"{folder / 'a.show.toml'}: loop: expected a valid boolean, got 'yes'"


def test_a_link_out_of_the_folder_is_refused(folder, capsys, tmp_path_factory):
    """A symbolic link is followed before the check: it cannot smuggle a file from elsewhere into the rig."""
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "dawn.toml"
    elsewhere.write_text(DAWN)
    os.symlink(elsewhere, folder / "linked.toml")
    (folder / "rig.toml").write_text('name = "t"\nscenes = ["linked.toml"]\n')
    line = _one_line(capsys, ["check", str(folder / "rig.toml")])
    assert line.startswith(f"{folder / 'rig.toml'}: scenes[0]: expected a path inside the rig's root"), line


def test_root_widens_the_folder_when_the_rig_says_so(folder, capsys):
    shutil.move(str(folder / "dawn.toml"), folder.parent / f"{folder.name}-dawn.toml")
    (folder / "rig.toml").write_text(f'name = "t"\nroot = ".."\nscenes = ["../{folder.name}-dawn.toml"]\n'
                                     f'[model]\ngenerator = "rules"\n')
    assert main(["check", str(folder / "rig.toml")]) == 0
    assert "ok, rig 't'" in capsys.readouterr().out


def test_a_newline_in_a_path_stays_on_one_line(folder, capsys):
    (folder / "rig.toml").write_text('name = "t"\nscenes = ["new\\nline.toml"]\n')
    line = _one_line(capsys, ["check", str(folder / "rig.toml")])
    assert "new\\nline.toml" in line


def test_a_repeated_scene_name_blames_the_later_file(folder, capsys):
    (folder / "copy.toml").write_text(DAWN)
    (folder / "rig.toml").write_text('name = "t"\nscenes = ["dawn.toml", "copy.toml"]\n')
    line = _one_line(capsys, ["check", str(folder / "rig.toml")])
    assert line.startswith(f"{folder / 'copy.toml'}: name: scene names in a rig must be unique"), line


def test_corrupt_weights_are_named_by_check(folder, capsys):
    (folder / "w.pt").write_bytes(os.urandom(2000))
    (folder / "rig.toml").write_text(RIG + '[model]\nweights = "w.pt"\n')
    line = _one_line(capsys, ["check", str(folder / "rig.toml")])
    assert line.startswith(f"{folder / 'rig.toml'}: model.weights: {folder / 'w.pt'}: not a readable weights file")


SESSIONS = [
    (b"", "expected a session"),
    (b'{"performer_session": 1}\n{"t": 1, "signal": "midi/cc/1", "value": NaN}\n', "expected JSON"),
    (b'{"performer_session": 1}\n{"t": 1, "cue": "' + b"x" * 300 + b'"}\n', "cue: expected"),
    (b'{"performer_session": 1}\n{"t": 1e300, "cue": "next"}\n', "t: expected a time in seconds"),
    (b'{"performer_session": 1}\n' + b" " * 5000 + b"\n", "a line longer than 4096 bytes"),
    (b'{"performer_session": 1}\n{"t": 1, "cue": "caf\xe9"}\n', "expected UTF-8 text, found byte 0xe9"),
    (b'{"performer_session": 1}\n' + b"[" * 3000 + b"\n", "expected JSON"),
    (b'{"performer_session": 2}\n', "performer_session: expected 1"),
    (b'{"performer_session": 1, "duration": ""}\n', "duration: expected the session's seconds"),
    (b'{"performer_session": 1}\n{"t": 0, "signal": "midi/cc/1", "value": 1' + b"0" * 309 + b"}\n",
     "value: expected a number"),
    (b'{"performer_session": 1}\n{"t": 0, "signal": "a/b\\n", "value": 0}\n', "signal: expected a signal name"),
]


@pytest.mark.parametrize("content, expected", SESSIONS, ids=[s[1][:24] for s in SESSIONS])
def test_a_bad_session_is_one_line_before_any_audio(folder, capsys, content, expected):
    (folder / "rig.toml").write_text(RIG + '[model]\ngenerator = "rules"\n')
    (folder / "s.jsonl").write_bytes(content)
    line = _one_line(capsys, ["render", str(folder / "rig.toml"), "--replay", str(folder / "s.jsonl"),
                              "--out", str(folder / "out")])
    assert line.startswith(str(folder / "s.jsonl")) and expected in line, line
    assert not (folder / "out").exists()


def test_check_on_dev_zero_reads_nothing(capsys):
    assert _one_line(capsys, ["check", "/dev/zero"]) == "/dev/zero: expected a regular TOML file, not a device, " \
                                                       "folder or pipe"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.toml")
    assert _one_line(capsys, ["check", str(tmp_path / "pipe.toml")]).endswith("expected a regular TOML file, not a "
                                                                              "device, folder or pipe")
    (tmp_path / "dawn.toml").write_text(DAWN)
    (tmp_path / "rig.toml").write_text(RIG + '[model]\ngenerator = "rules"\n')
    line = _one_line(capsys, ["render", str(tmp_path / "rig.toml"), "--replay", str(tmp_path / "pipe.toml"), "--out",
                              str(tmp_path / "out")])
    assert line.endswith("expected a regular session file, not a device, folder or pipe")


def test_a_session_from_dev_zero_is_refused_without_reading_it(folder, capsys):
    (folder / "rig.toml").write_text(RIG + '[model]\ngenerator = "rules"\n')
    line = _one_line(capsys, ["render", str(folder / "rig.toml"), "--replay", "/dev/zero", "--out", str(folder)])
    assert line == "/dev/zero: expected a regular session file, not a device, folder or pipe"
