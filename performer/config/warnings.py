"""Warnings about a rig that is valid but will not do what it seems to say: each one line naming the file and
field, printed by ``performer check``. Errors (which stop a rig from loading) are in performer/config/loading.py."""

from __future__ import annotations

from performer.config.loading import LoadedRig
from performer.config.scene import SceneSpec
from performer.music.steering import SteerParam


def rig_warnings(loaded: LoadedRig) -> list[str]:
    """Everything in ``loaded`` that is legal but probably a mistake."""
    rig, where = loaded.rig, str(loaded.path)
    out = _unheard_signals(loaded)
    for scene, path in zip(loaded.scenes, loaded.scene_paths):
        out += scene_warnings(scene, str(path))
    gallery = rig.gallery
    if gallery is not None and gallery.idle_after_minutes and not any(c.motion for c in rig.cameras):
        out.append(f"{where}: gallery.idle_after_minutes: no camera with motion = true reports audience/presence, "
                   f"so the rig goes idle {gallery.idle_after_minutes:g} minutes after every opening")
    output = rig.midi.output
    if output is not None and output.channels:
        used = {voice.channel for scene in loaded.scenes for voice in scene.voices}
        for channel in sorted(set(output.channels) - used):
            out.append(f"{where}: midi.output.channels: no voice of any scene plays on channel {channel}")
    if rig.midi.clock_in and not any(scene.link for scene in loaded.scenes):
        out.append(f"{where}: midi.clock_in: no scene has link = true, so every scene keeps its own tempo and only "
                   f"the clock's Start, Continue and Stop are followed")
    return out


def _unheard_signals(loaded: LoadedRig) -> list[str]:
    """Scene signals from a sensor family this rig has no source for: they will always read their defaults."""
    rig = loaded.rig
    zones = {zone.name for camera in rig.cameras if camera.motion for zone in camera.zones}
    sources = {"hand": any(c.hands for c in rig.cameras), "audience": any(c.motion for c in rig.cameras),
               "midi": bool(rig.midi.inputs)}
    out = []
    for scene, path in zip(loaded.scenes, loaded.scene_paths):
        for i, mapping in enumerate(scene.mappings):
            family, name = mapping.signal.split("/", 1)[0], mapping.signal
            if sources.get(family) is False:
                out.append(f"{path}: mappings[{i}].signal: nothing in rig {rig.name!r} sends {family}/ signals, "
                           f"so {name} stays at its default")
            elif name.startswith("audience/zone/") and name.split("/")[2] not in zones:
                out.append(f"{path}: mappings[{i}].signal: no camera of rig {rig.name!r} has a zone named "
                           f"{name.split('/')[2]!r}")
    return out


def scene_warnings(scene: SceneSpec, where: str) -> list[str]:
    """Settings of one scene that contradict each other: which one wins, in one line each."""
    out = []
    mapped = {m.param for m in scene.mappings}
    if scene.chords:
        for name in ("tension", "harmonic_rhythm"):
            if name in scene.model_fields_set or SteerParam(name) in mapped:
                out.append(f"{where}: {name}: the chord list (chords) wins; {name} shapes only a live harmony, "
                           f"in a scene without chords")
    if len(scene.style) < 2 and ("style_blend" in scene.model_fields_set or SteerParam.style in mapped):
        out.append(f"{where}: style_blend: it moves toward a second style, but style names "
                   f"{'none' if not scene.style else 'only ' + repr(scene.style[0])}")
    for i, voice in enumerate(scene.voices):
        if voice.drums and voice.chords:
            out.append(f"{where}: voices[{i}].chords: a drum voice plays no chords; it is ignored")
    return out
