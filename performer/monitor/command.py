"""`performer monitor RIG`: attach the monitor to the rig's running conductor, in this terminal or (``--web``)
as a web page."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from performer.config.loading import load_rig
from performer.config.monitor import is_loopback
from performer.errors import ConfigError

log = logging.getLogger(__name__)


def monitor(args: argparse.Namespace) -> int:
    """Run the terminal monitor, or serve it to browsers."""
    config = load_rig(args.rig).rig.monitor if args.port is None or args.web else None
    port = args.port if args.port is not None else config.port if config is not None else 0
    if not port:
        log.warning("%s: [monitor] port = 0, the conductor opens no status port to attach to", args.rig)
        return 2
    if args.web:
        assert config is not None
        return _web(Path(args.rig), port, args.host or config.web_host, args.web_port or config.web_port)
    from performer.monitor.app import MonitorApp

    MonitorApp(port, Path(args.rig).stem).run()
    return 0


def _web(rig: Path, port: int, host: str, web_port: int) -> int:
    """Serve the monitor; off loopback with a token (the environment's, or one made up and printed once)."""
    from performer.monitor.web import TOKEN_ENV, new_token, page_url, serve

    try:
        local = is_loopback(host)
    except ValueError as err:
        raise ConfigError("--host", "", str(err)) from None
    token = os.environ.get(TOKEN_ENV, "")
    if not token and not local:
        token = new_token()
        print(f"performer: web monitor open to the network; its address with the token: "
              f"{page_url(host, web_port, token)}", flush=True)
    return serve(rig, port, host, web_port, token, f"performer monitor · {rig.stem}")


def add_monitor_command(sub: argparse._SubParsersAction) -> None:
    """The ``monitor`` sub-command's arguments."""
    parser = sub.add_parser("monitor", help="watch (and, if the rig allows, steer) a running rig, in the terminal "
                                            "or, with --web, in a browser")
    parser.add_argument("rig")
    parser.add_argument("--port", type=int, help="the conductor's status port (default the rig's [monitor] port)")
    parser.add_argument("--web", action="store_true", help="serve the monitor as a web page")
    parser.add_argument("--host", help="with --web: the address to listen on (default the rig's web_host)")
    parser.add_argument("--web-port", type=int, help="with --web: the port (default the rig's web_port)")
    parser.set_defaults(func=monitor)
