"""The file fuzzers: rigs, scenes and shows written where the shipped ones live, in a copy of the project's rigs/ and
scenes/, then loaded (load_rig, load_scene, load_show, read_toml) or checked by the real ``performer check``.

Each must load, or be refused by a ConfigError of one line naming the file (or a file it names, which lies in
its folder unless the fuzzed file gave an absolute path); ``check`` must exit 0, or 2 with exactly that line on
stderr. Anything else is a crash."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from hypothesis import strategies as st

from performer.bench.fuzz.checks import one_line, refused
from performer.bench.fuzz.runner import Crash, Target
from performer.bench.fuzz.tomltext import file_bytes
from performer.config.loading import load_rig, load_scene, load_show
from performer.config.reading import read_toml
from performer.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
Command = Callable[[Sequence[str]], tuple[int, str, str]]  # argv -> (exit code, stdout, stderr)
KINDS = ("rig", "scene", "show")


@contextmanager
def workspace() -> Iterator[Path]:
    """A temporary copy of the project's rigs/ (with its sessions/) and scenes/: a fuzzed rig is rigs/fuzz.toml,
    saying root = ".." and naming ../scenes/... as the shipped rigs do."""
    with tempfile.TemporaryDirectory(prefix="performer-fuzz-") as folder:
        base = Path(folder)
        shutil.copytree(ROOT / "rigs", base / "rigs", ignore=shutil.ignore_patterns("systemd"))
        shutil.copytree(ROOT / "scenes", base / "scenes")
        yield base


def fuzzed_path(base: Path, kind: str) -> Path:
    """Where a fuzzed file of ``kind`` is written."""
    return {"rig": base / "rigs" / "fuzz.toml", "scene": base / "scenes" / "fuzz.toml",
            "show": base / "scenes" / "fuzz.show.toml"}[kind]


def shipped(kind: str) -> list[bytes]:
    """The shipped files of ``kind``, as bytes: the documents the mutations start from."""
    if kind == "rig":
        return [p.read_bytes() for p in sorted((ROOT / "rigs").glob("*.toml"))]
    names = sorted((ROOT / "scenes").glob("*.toml"))
    return [p.read_bytes() for p in names if p.name.endswith(".show.toml") == (kind == "show")]


def blame(path: Path, data: bytes) -> list[str]:
    """The paths a refusal of ``path`` may begin with: the file, a file in its folder (every relative name it
    gives), and any absolute path the file itself spells out."""
    text = data.decode("utf-8", "replace")
    absolute = [word for word in text.replace("'", '"').split('"') if word.startswith("/")]
    return [str(path), str(path.parent) + os.sep, *absolute]


def load_check(load: Callable[[Path], Any], path: Path) -> Callable[[bytes], str]:
    """A check that writes the case to ``path`` and loads it."""

    def check(data: bytes) -> str:
        path.write_bytes(data)
        try:
            load(path)
        except ConfigError as err:
            return refused(err, blame(path, data))
        return "loaded"

    return check


def command_check(command: Command, base: Path) -> Callable[[tuple[str, bytes]], str]:
    """A check that writes the case as its kind of file and runs ``performer check`` on it."""

    def check(case: tuple[str, bytes]) -> str:
        kind, data = case
        path = fuzzed_path(base, kind)
        path.write_bytes(data)
        code, out, err = command(["check", str(path)])
        if code == 0:
            return "loaded"
        if code != 2:
            raise Crash(f"exit code {code}; stderr ends {err[-300:]!r}")
        if out or not err.endswith("\n"):
            raise Crash(f"exit code 2 with stdout {out[:200]!r} and stderr {err[:200]!r}")
        return one_line(err[:-1], blame(path, data))

    return check


def in_process(main: Callable[[Sequence[str]], int]) -> Command:
    """The command line called in this process (``performer.cli.main``, which a benchmark may not import)."""

    def run(argv: Sequence[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
        return code, out.getvalue(), err.getvalue()

    return run


def subprocess_command(argv: Sequence[str]) -> tuple[int, str, str]:
    """The command line as a user runs it: ``python -m performer`` in a process of its own."""
    proc = subprocess.run([sys.executable, "-m", "performer", *argv], capture_output=True, encoding="utf-8",
                          errors="replace", timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def file_targets(base: Path, command: Command) -> list[Target]:
    """The loaders' targets, read_toml's, and the command line's ``check``, over files in ``base``."""
    strategies = {kind: file_bytes(shipped(kind)) for kind in KINDS}
    loaders: dict[str, Callable[[Path], Any]] = {"rig": load_rig, "scene": load_scene, "show": load_show}
    targets = [Target(kind, strategies[kind], load_check(loaders[kind], fuzzed_path(base, kind))) for kind in KINDS]
    toml = st.one_of(*strategies.values())
    targets.append(Target("toml", toml, load_check(read_toml, base / "scenes" / "any.toml")))
    cases = st.one_of(*(st.tuples(st.just(kind), strategies[kind]) for kind in KINDS))
    return targets + [Target("check", cases, command_check(command, base))]
