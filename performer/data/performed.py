"""The performed-MIDI folder the fine-tuning bench measures on: ten piano performances from the MAESTRO dataset
that the miditok 3.1.0 source distribution ships among its tests. pip fetches it from the package index the
first time; it is only ever held out and fine-tuned on, never part of the shipped model's training (MAESTRO is
CC BY-NC-SA 4.0), and never committed."""

from __future__ import annotations

import logging
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from performer.errors import PerformerError

log = logging.getLogger(__name__)
PACKAGE = "miditok==3.1.0"
MEMBERS = "tests/MIDIs_one_track/Maestro_"  # Maestro_1.mid ... Maestro_10.mid
FILES = 10


class PerformedError(PerformerError):
    """The performed-MIDI folder could not be fetched (one line: what, and how to get it by hand)."""


def performed_folder(dest: Path) -> Path:
    """``dest`` holding the ten performances, fetched with pip if they are not there yet."""
    if len(list(dest.glob("Maestro_*.mid"))) == FILES:
        return dest
    log.info("%s: fetching ten MAESTRO performances from the %s source distribution with pip", dest, PACKAGE)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                   PACKAGE, "-d", tmp]
        done = subprocess.run(command, capture_output=True, text=True)
        archives = list(Path(tmp).glob("miditok-*.tar.gz"))
        if done.returncode != 0 or not archives:
            last = (done.stderr.strip().splitlines() or ["no archive"])[-1]
            raise PerformedError(f"{dest}: could not fetch {PACKAGE} with pip ({last[:160]}); "
                                 f"put its {MEMBERS}*.mid files there by hand")
        _extract(archives[0], dest)
    return dest


def _extract(archive: Path, dest: Path) -> None:
    """Only the performances, flattened into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if member.isfile() and MEMBERS in member.name and name.suffix == ".mid":
                source = tar.extractfile(member)
                if source is not None:
                    (dest / name.name).write_bytes(source.read())
