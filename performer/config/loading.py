"""Reading rig and scene files: TOML in, validated schemas out, and every error as one line naming file and field."""

from __future__ import annotations

import ipaddress
import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

from performer.config.reading import inside, read_toml
from performer.config.rig import Rig
from performer.config.scene import GLIDE, MappingSpec, SceneSpec, check_range
from performer.config.show import ShowSpec
from performer.config.signals import signal_problem
from performer.errors import ConfigError
from sensors.cues import WORDS, Cue
from synthesis.catalog import PARAMS

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedRig:
    """A validated rig with its scenes, in show order, and where each came from."""

    path: Path
    rig: Rig
    scenes: tuple[SceneSpec, ...]
    scene_paths: tuple[Path, ...]
    loop: bool = True  # after the last scene, the first again (a show file may say otherwise)
    show_path: Path | None = None
    count_in: int = 0  # the show's count-in, in beats, for scenes that do not set their own

    @property
    def demo_session(self) -> Path | None:
        """The rig's demo session file, resolved against the rig's folder."""
        return self.path.parent / self.rig.demo_session if self.rig.demo_session else None

    @property
    def sessions_dir(self) -> Path:
        """Where the rig's runs keep their dated session folders, resolved against the rig's folder."""
        return self.path.parent / self.rig.sessions.folder


def field_path(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location such as ('mappings', 0, 'curve') into 'mappings[0].curve'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def describe(error: Mapping[str, Any]) -> str:
    """What was expected, in words, for one pydantic error (its ErrorDetails)."""
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Input should be ")
    if not message.startswith("expected") and not message[:1].isupper():
        message = "expected " + message
    got = error.get("input")
    if error["type"] not in ("value_error",) and not isinstance(got, (dict, list)):
        message += f", got {got!r}"
    return message


def validate(model: type[M], data: dict[str, Any], path: Path) -> M:
    """Validate ``data`` against ``model`` strictly, or raise a one-line ConfigError. Strict as JSON is: a string
    is never taken for a number or a boolean (``enabled = "off"`` is an error, not False), nor a float for an
    integer, while arrays still fill tuples and strings enums."""
    try:
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        expected = describe(first) + (f" (and {more} more error{'s' if more > 1 else ''})" if more else "")
        raise ConfigError(str(path), field_path(tuple(first["loc"])), expected) from None


def load_scene(path: Path) -> SceneSpec:
    """Read and validate one scene file, including references between its own fields."""
    scene = validate(SceneSpec, read_toml(path), path)
    voices = [v.name for v in scene.voices]
    for i, voice in enumerate(voices):
        if voices.index(voice) != i:
            raise ConfigError(str(path), f"voices[{i}].name", f"voice names must be unique, {voice!r} repeats")
    for i, mapping in enumerate(scene.mappings):
        if mapping.voice is not None and mapping.voice not in voices:
            raise ConfigError(str(path), f"mappings[{i}].voice",
                              f"expected one of this scene's voices ({', '.join(voices)}), got {mapping.voice!r}")
        if not mapping.steers:
            _check_instrument_param(scene, i, mapping, path)
    for i, strike in enumerate(scene.strikes):
        if strike.voice not in voices:
            raise ConfigError(str(path), f"strikes[{i}].voice",
                              f"expected one of this scene's voices ({', '.join(voices)}), got {strike.voice!r}")
    if scene.thru not in (None, "", *voices):
        raise ConfigError(str(path), "thru", f"expected one of this scene's voices ({', '.join(voices)}) or \"\" "
                                             f"for none, got {scene.thru!r}")
    signals = [(f"mappings[{i}].signal", m.signal) for i, m in enumerate(scene.mappings)]
    signals += [(f"triggers[{i}].signal", t.signal) for i, t in enumerate(scene.triggers)]
    for field, name in signals + [(f"strikes[{i}].signal", s.signal) for i, s in enumerate(scene.strikes)]:
        problem = signal_problem(name)
        if problem is not None:
            raise ConfigError(str(path), field, f"{problem}, got {name!r}")
    return scene


def _check_instrument_param(scene: SceneSpec, i: int, mapping: MappingSpec, path: Path) -> None:
    """An instrument parameter needs a voice whose instrument has it, and a range inside its limits."""
    if mapping.voice is None:
        raise ConfigError(str(path), f"mappings[{i}].voice", f"{mapping.param!r} is an instrument parameter: "
                                                             f"expected the voice whose instrument it sets")
    instrument = next(v.instrument for v in scene.voices if v.name == mapping.voice)
    if mapping.param == GLIDE:
        _check_glide(scene, i, mapping.voice, instrument, path)
        return
    spec = PARAMS[instrument].get(str(mapping.param))
    if spec is None:
        names = ", ".join(PARAMS[instrument])
        raise ConfigError(str(path), f"mappings[{i}].param",
                          f"expected one of {instrument}'s parameters ({names}), got {mapping.param!r}")
    try:
        check_range(f"{instrument}.{mapping.param}", mapping.range, spec[1:])
    except ValueError as error:
        raise ConfigError(str(path), f"mappings[{i}].range", str(error)) from None


def _check_glide(scene: SceneSpec, i: int, voice: str, instrument: str, path: Path) -> None:
    """A glide bends its instrument: one that can bend, and that no other voice of the scene plays."""
    if "bend" not in PARAMS[instrument]:
        bending = ", ".join(name for name, params in PARAMS.items() if "bend" in params)
        raise ConfigError(str(path), f"mappings[{i}].voice",
                          f"a glide needs an instrument that bends ({bending}), got {voice!r} on {instrument}")
    shared = [v.name for v in scene.voices if v.instrument == instrument and v.name != voice]
    if shared:
        raise ConfigError(str(path), f"mappings[{i}].voice", f"a glide bends every note on {instrument}, which "
                                                             f"{', '.join(shared)} also plays: give {voice!r} "
                                                             f"an instrument of its own")


def load_rig(path: str | Path) -> LoadedRig:
    """Read and validate a rig, its show and every scene it uses."""
    path = Path(path)
    return _loaded(path, validate(Rig, read_toml(path), path))


def load_show(path: str | Path) -> LoadedRig:
    """Read and validate a show file and its scenes, as a rig of default hardware that plays it."""
    path = Path(path)
    return _loaded(path, Rig(name=f"show {path.name}", show=path.name))


def _loaded(path: Path, rig: Rig) -> LoadedRig:
    _check_nodes(rig, path)
    root = path.parent / rig.root
    show_path, loop, count_in, names = None, True, 0, [(path, f"scenes[{i}]", n) for i, n in enumerate(rig.scenes)]
    if rig.show:
        show_path = _file(root, rig.show, path, "show", "show file")
        show = validate(ShowSpec, read_toml(show_path), show_path)
        loop, count_in = show.loop, show.count_in
        names = [(show_path, f"scenes[{i}]", name) for i, name in enumerate(show.scenes)]
    scene_paths = tuple(_file(root, name, where, field, "scene file") for where, field, name in names)
    scenes = tuple(load_scene(p) for p in scene_paths)
    if rig.demo_session:
        _file(root, rig.demo_session, path, "demo_session", "session file")
    if rig.model.weights:  # missing or corrupt, it is a run's warning (and the fallback), and check's error
        inside(root, rig.model.weights, path, "model.weights")
    if rig.gallery is not None and rig.gallery.state_file:
        inside(root, rig.gallery.state_file, path, "gallery.state_file")
    inside(root, rig.sessions.folder, path, "sessions.folder")
    scene_names = [s.name for s in scenes]
    for i, (scene, scene_path) in enumerate(zip(scenes, scene_paths)):
        if scene.name in scene_names[:i]:  # the later file's fault: the first was fine until it came
            raise ConfigError(str(scene_path), "name", f"scene names in a rig must be unique, {scene.name!r} is "
                                                       f"also {scene_paths[scene_names.index(scene.name)]}'s")
        check_cues(scene, scene_path, scene_names)
    idle = rig.gallery.idle_scene if rig.gallery is not None else None
    if idle is not None and idle not in scene_names:
        raise ConfigError(str(path), "gallery.idle_scene", f"expected a scene of the show ({', '.join(scene_names)}), "
                          f"got {idle!r}")
    return LoadedRig(path=path, rig=rig, scenes=scenes, scene_paths=scene_paths, loop=loop, show_path=show_path,
                     count_in=count_in)


def _check_nodes(rig: Rig, path: Path) -> None:
    """A camera on another machine (its ``node``) sends to the rig's OSC port: open, on a fixed port, and bound
    where that machine can reach it."""
    osc = rig.osc
    for i, camera in enumerate(rig.cameras):
        node, field = camera.node, f"cameras[{i}].node"
        if node and (not osc.enabled or osc.port == 0):
            got = "enabled = false" if not osc.enabled else "port = 0"
            raise ConfigError(str(path), field, f"{node} sends to the rig's OSC port: expected [osc] enabled on a "
                                                f"fixed port, got {got}")
        if node and not _reaches(node, osc.host):
            raise ConfigError(str(path), field, f"{node} cannot reach [osc] host {osc.host}: expected this machine's "
                                                f"address on that network")


def _reaches(node: str, host: str) -> bool:
    """Whether a sender at ``node`` can reach a port bound to ``host``: not loopback, and the node's IP version
    (or "::", which takes both); a host name is taken on trust."""
    if host == "localhost":
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return True
    either = ip == ipaddress.IPv6Address("::")  # a dual-stack socket: IPv4 senders too
    return not ip.is_loopback and (ip.version == ipaddress.ip_address(node).version or either)


def _file(root: Path, name: str, where: Path, field: str, kind: str) -> Path:
    """A file a rig or show names, relative to ``where``: inside the rig's root, and there."""
    target = inside(root, name, where, field)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(str(where), field, f"{kind} not found: {target}") from None
    except OSError as err:  # a name too long for the file system, a folder we may not read
        raise ConfigError(str(where), field, f"cannot read it ({err.strerror}): {target}") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(str(where), field, f"expected a regular {kind}, not a device, folder or pipe: {target}")
    return target


def is_cue(target: str, scene_names: list[str]) -> bool:
    """Whether a cue names something the show can do: a command, a scene of the show, or #N within it."""
    cue = Cue.parse(target)
    if cue.number is not None:
        return cue.number < len(scene_names)
    return cue.command is not None or cue.scene in scene_names


def check_show_scene(scene: SceneSpec, path: Path, others: list[str]) -> None:
    """A scene as one of a show's: its name unique among the ``others``, its triggers' cues things the show can
    do."""
    if scene.name in others:
        raise ConfigError(str(path), "name", f"scene names in a rig must be unique, {scene.name!r} repeats")
    check_cues(scene, path, others + [scene.name])


def check_cues(scene: SceneSpec, path: Path, scene_names: list[str]) -> None:
    """Every trigger's cue names something the show can do."""
    for i, trigger in enumerate(scene.triggers):
        if not is_cue(trigger.cue, scene_names):
            raise ConfigError(str(path), f"triggers[{i}].cue", f"expected {', '.join(WORDS)}, #N or a scene of the "
                              f"show ({', '.join(scene_names)}), got {trigger.cue!r}")
