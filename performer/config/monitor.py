"""A rig's ``[monitor]``: the conductor's status port, which `performer monitor` attaches to (loopback only),
whether a monitor may move the show, and where the web monitor listens."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator

from performer.config.base import Strict


class MonitorConfig(Strict):
    """``port``: the conductor's status port on 127.0.0.1 (0: none). ``control``: monitors may cue (GO, BACK,
    a scene, stop, panic) and move mapped signals; otherwise they only watch. ``rate``: frames a second.
    ``web_host``/``web_port``: where `performer monitor --web` serves the monitor as a web page; any address but
    loopback asks a token of every browser (``PERFORMER_MONITOR_TOKEN``, or one made up and printed)."""

    port: int = Field(9330, ge=0, le=65535)
    control: bool = False
    rate: float = Field(15.0, ge=10.0, le=60.0)
    web_host: str = Field("127.0.0.1", min_length=1, max_length=64)
    web_port: int = Field(8330, ge=1, le=65535)

    @field_validator("web_host")
    @classmethod
    def _address(cls, value: str) -> str:
        is_loopback(value)
        return value


def is_loopback(host: str) -> bool:
    """Whether the web monitor listening on ``host`` is open to this machine only (no token needed); ValueError,
    saying what is expected, for a host that is not an IP address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise ValueError(f"expected an IP address to listen on (127.0.0.1, 0.0.0.0, ::), got {host!r}") from None
