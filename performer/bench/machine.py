"""The machine a bench ran on, for its report: the figures mean little without it."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    """CPU, cores, memory, kernel, Python and the packages whose speed the figures depend on, and when."""
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cpu": _cpu_model(),
            "cores": os.cpu_count(), "memory_gib": _memory_gib(), "kernel": platform.release(),
            "python": sys.version.split()[0],
            "packages": {p: _version(p) for p in ("torch", "numpy", "pyo", "mediapipe", "opencv-contrib-python")}}
