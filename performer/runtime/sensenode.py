"""A sensor node: ``performer sense RIG --to HOST:PORT`` runs, on another machine than the conductor's, the rig's
cameras that name this machine as their ``node``, each a camera process sending its signals as OSC over UDP to the
conductor's port at HOST:PORT, which reads only those cameras' signals from this machine's address. No engine and
no conductor run here. As under ``performer run``, a camera that dies has its ``/release`` sent for it and is
restarted; when the node stops, its cameras' signals are released, so the show's mappings glide to their
defaults instead of holding the last frame."""

from __future__ import annotations

import ipaddress
import sys
import threading

from performer.config.loading import LoadedRig
from performer.config.rig import CameraConfig
from performer.config.settings import camera_settings
from performer.errors import ConfigError
from performer.runtime.supervisor import camera_child, keep_cameras, start_cameras, stop_on_signals

EXAMPLE = "192.168.1.20:9000"


def destination(text: str) -> tuple[str, int]:
    """``--to HOST:PORT`` (an IP address, an IPv6 one in brackets, and a port 1-65535) as a UDP destination; a
    ConfigError in one line if it is not one."""
    host, _, port = text.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    ip = _address(host[1:-1] if bracketed else host)
    if ip is not None and ip.version == 6 and not bracketed:  # fd00::1:9000 could be an address without a port
        ip = None
    number = int(port) if port.isascii() and port.isdigit() and len(port) <= 5 else 0
    if ip is None or ip.is_unspecified or ip.is_multicast or not 1 <= number <= 65535:
        raise ConfigError("--to", "", f"expected the conductor's IP address and OSC port, like {EXAMPLE}, got "
                                      f"{text!r}")
    return str(ip), number


def node_cameras(loaded: LoadedRig, node: str = "") -> list[tuple[int, CameraConfig]]:
    """The rig's cameras this machine runs, with their places in the rig: those naming ``node``, or with none
    given, those naming a node, if they all name the same one."""
    remote = [(i, camera) for i, camera in enumerate(loaded.rig.cameras) if camera.node]
    nodes = sorted({camera.node for _, camera in remote})
    if not remote:
        raise ConfigError(str(loaded.path), "cameras", "expected a camera with node = \"this machine's address\" "
                                                       "(`performer sense` runs those)")
    if node:
        chosen = [(i, camera) for i, camera in remote if ipaddress.ip_address(camera.node) == _address(node)]
        if not chosen:
            raise ConfigError("--node", "", f"expected a node of the rig's cameras ({', '.join(nodes)}), got {node!r}")
        return chosen
    if len(nodes) > 1:
        raise ConfigError("--node", "", f"the rig's cameras run on {len(nodes)} machines ({', '.join(nodes)}): "
                                        f"expected --node naming this one")
    return remote


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an IP address, or None if it is not one."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def sense(loaded: LoadedRig, to: str, node: str = "") -> int:
    """Run this machine's cameras of ``loaded``, sending to ``to``, until Ctrl-C or SIGTERM (0), or until every
    camera has kept failing (1)."""
    host, port = destination(to)
    cameras = [camera_child(i, camera_settings(camera, port, host=host)) for i, camera in node_cameras(loaded, node)]
    stop = threading.Event()
    with stop_on_signals(stop):
        try:
            start_cameras(cameras, stop)
            print(f"performer: sensing, {len(cameras)} camera(s) sending to {host}:{port}; Ctrl-C stops", flush=True)
            while cameras and not stop.wait(0.2):
                keep_cameras(cameras, stop)
        finally:
            for camera in cameras:
                camera.stop()
                if camera.on_death is not None:
                    camera.on_death()  # the conductor plays on: its signals glide to the scenes' defaults
    if cameras:
        return 0
    print("performer: no camera is left to run; stopping", file=sys.stderr)
    return 1
