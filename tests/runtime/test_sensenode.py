"""Sensor nodes without a network: a camera's ``node`` is validated strictly (an address of another machine, and an
OSC port that machine can reach), `performer sense` picks the cameras of one node and refuses a bad HOST:PORT in
one line, and the conductor reads from a node only its cameras' signals. The two-host run is in
test_remote_sensor.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.errors import ConfigError
from performer.runtime.inputs import sensor_nodes
from performer.runtime.sensenode import destination, node_cameras
from tests.conftest import write_rig

OSC = '[osc]\nhost = "10.77.0.1"\nport = 9000\n'


def _rig(folder: Path, osc: str = OSC, *nodes: str) -> Path:
    cameras = "".join(f'[[cameras]]\nmotion = true\nnode = "{node}"\n' for node in nodes)
    return write_rig(folder, osc + cameras + '[[cameras]]\nhands = 2\n')


@pytest.mark.parametrize(("text", "expected"), [
    ("10.77.0.1:9000", ("10.77.0.1", 9000)), ("[fd00::1]:57120", ("fd00::1", 57120)),
    ("127.0.0.1:1", ("127.0.0.1", 1)),
])
def test_to_is_an_address_and_a_port(text, expected):
    assert destination(text) == expected


@pytest.mark.parametrize("text", ["10.77.0.1", "conductor.local:9000", "10.77.0.1:0", "10.77.0.1:65536",
                                  "0.0.0.0:9000", "224.0.0.1:9000", "fd00::1:9000", "10.77.0.1:９０００", ""])
def test_a_bad_to_is_one_line(text):
    with pytest.raises(ConfigError) as err:
        destination(text)
    assert str(err.value).startswith("--to: expected the conductor's IP address and OSC port, like")


@pytest.mark.parametrize(("osc", "node", "expected"), [
    (OSC, "127.0.0.2", "expected the IP address of another machine"),
    (OSC, "10.77.0.0/24", "expected the IP address of another machine"),
    (OSC, "0.0.0.0", "expected the IP address of another machine"),
    (OSC, "stage-pi", "expected the IP address of another machine"),
    ('[osc]\nport = 9000\n', "10.77.0.2", "cannot reach [osc] host 127.0.0.1"),
    ('[osc]\nhost = "localhost"\nport = 9000\n', "10.77.0.2", "cannot reach [osc] host localhost"),
    ('[osc]\nhost = "fd00::1"\nport = 9000\n', "10.77.0.2", "cannot reach [osc] host fd00::1"),
    ('[osc]\nhost = "0.0.0.0"\nport = 9000\n', "fd00::2", "cannot reach [osc] host 0.0.0.0"),
    ('[osc]\nhost = "10.77.0.1"\nport = 0\n', "10.77.0.2", "expected [osc] enabled on a fixed port, got port = 0"),
    ('[osc]\nhost = "10.77.0.1"\nport = 9000\nenabled = false\n', "10.77.0.2", "got enabled = false"),
])
def test_a_node_is_validated_strictly(tmp_path, osc, node, expected):
    with pytest.raises(ConfigError) as err:
        load_rig(_rig(tmp_path, osc, node))
    assert "cameras[0].node" in str(err.value) and expected in str(err.value), str(err.value)


@pytest.mark.parametrize("host", ["10.77.0.1", "0.0.0.0", "::"])
def test_a_node_reaches_a_port_bound_to_its_network(tmp_path, host):
    rig = load_rig(_rig(tmp_path, f'[osc]\nhost = "{host}"\nport = 9000\n', "10.77.0.2")).rig
    assert rig.cameras[0].node == "10.77.0.2" and rig.cameras[1].node == ""


def test_sense_runs_the_cameras_of_one_node(tmp_path):
    loaded = load_rig(_rig(tmp_path, OSC, "10.77.0.2", "10.77.0.3", "10.77.0.2"))
    assert [i for i, _ in node_cameras(loaded, "10.77.0.2")] == [0, 2]
    assert [i for i, _ in node_cameras(loaded, "10.77.0.3")] == [1]
    with pytest.raises(ConfigError, match="--node: the rig's cameras run on 2 machines"):
        node_cameras(loaded)
    with pytest.raises(ConfigError, match=r"--node: expected a node of the rig's cameras \(10.77.0.2, 10.77.0.3\)"):
        node_cameras(loaded, "10.77.0.9")
    with pytest.raises(ConfigError, match="cameras: expected a camera with node"):
        node_cameras(load_rig(_rig(tmp_path, OSC)))


def test_the_conductor_reads_from_a_node_only_its_cameras_signals(tmp_path):
    nodes = sensor_nodes(load_rig(_rig(tmp_path, OSC, "10.77.0.2")).rig.cameras, 0.0)
    node = nodes.find("10.77.0.2")
    assert node is not None and nodes.find("10.77.0.1") is None
    assert "audience/energy" in node.osc.wanted.signals and "hand/right/x" not in node.osc.wanted.signals
    assert node.budget.rate == 5000.0 and not node.osc.wanted.cue("next")


def test_sense_with_a_bad_to_is_one_line_and_exit_2(tmp_path, performer_cmd):
    done = subprocess.run(performer_cmd + ["sense", str(_rig(tmp_path, OSC, "10.77.0.2")), "--to", "conductor:9000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == ["--to: expected the conductor's IP address and OSC port, like "
                                                "192.168.1.20:9000, got 'conductor:9000'"]
