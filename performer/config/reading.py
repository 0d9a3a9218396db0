"""Reading a rig, scene or show file before its schema sees it: a bounded read of a regular file, strict UTF-8,
TOML, and only plain values (no deeper than MAX_DEPTH, no TOML dates), each failure one line naming the file.

Also where a path a rig names is resolved: inside the rig's root folder unless the rig widens it."""

from __future__ import annotations

import datetime
import os
import stat
import sys
from pathlib import Path
from typing import Any, BinaryIO

from performer.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_FILE_BYTES = 1 << 20  # a rig, scene or show file; the largest shipped is 6 KB
MAX_DEPTH = 12  # tables and arrays within each other; the deepest schema (gallery hours) needs 5


def open_regular(path: Path, kind: str = "file") -> BinaryIO:
    """``path`` opened for reading if it is a regular file, else one line: a device or a FIFO may never end, and
    opening a FIFO would wait for a writer (hence O_NONBLOCK, which a regular file ignores)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(str(path), "", f"expected a regular {kind}, not a device, folder or pipe")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_bytes(path: Path, limit: int, kind: str = "file") -> bytes:
    """At most ``limit`` bytes of a regular file, or one line."""
    try:
        with open_regular(path, kind) as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "", f"expected a regular {kind}, not a device, folder or pipe") from None
    except OSError as err:
        raise ConfigError(str(path), "", f"cannot read: {err.strerror}") from None
    if len(data) > limit:
        raise ConfigError(str(path), "", f"larger than the {limit // 1024} KB a {kind} may be")
    return data


def utf8(data: bytes, path: Path) -> str:
    """The bytes as UTF-8 text, or one line naming the first bad byte (a Latin-1 or UTF-16 file, a stray byte)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(str(path), "", f"expected UTF-8 text, found byte 0x{data[err.start]:02x} at offset "
                                         f"{err.start}") from None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file of plain values, turning every way it can be wrong into one line."""
    text = utf8(read_bytes(path, MAX_FILE_BYTES, "TOML file"), path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(str(path), "", f"not valid TOML: {err}") from None
    except RecursionError:
        raise ConfigError(str(path), "", f"arrays or tables nested deeper than {MAX_DEPTH}") from None
    check_plain(data, path)
    return data


def check_plain(value: Any, path: Path, where: str = "", depth: int = 0) -> None:
    """Only strings, numbers, booleans, arrays and tables, nested at most MAX_DEPTH deep: TOML's dates and times
    are refused (our times are strings, "10:00"), so that no schema ever meets them."""
    if depth > MAX_DEPTH:
        raise ConfigError(str(path), where, f"arrays or tables nested deeper than {MAX_DEPTH}")
    if isinstance(value, dict):
        for key, item in value.items():
            check_plain(item, path, f"{where}.{key}" if where else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_plain(item, path, f"{where}[{i}]", depth + 1)
    elif isinstance(value, (datetime.date, datetime.time)):
        raise ConfigError(str(path), where, f"expected a string in quotes (\"10:00\"), got the TOML date or time "
                                            f"{value.isoformat()}")


def inside(root: Path, value: str, path: Path, field: str) -> Path:
    """``value`` resolved against the file's folder, which must lie within ``root`` (symbolic links followed):
    a rig cannot read or write outside the folder it says it lives in."""
    try:
        target, home = (path.parent / value).resolve(), root.resolve()
    except (OSError, RuntimeError, ValueError) as err:  # a name too long, a loop of links, a NUL byte
        raise ConfigError(str(path), field, f"expected a path, got {value!r} ({err})") from None
    if target != home and home not in target.parents:
        raise ConfigError(str(path), field, f"expected a path inside the rig's root {home} (the rig's `root` "
                                            f"widens it), got {value!r}")
    return path.parent / value
