"""The rig's private channel (a real AF_UNIX datagram socket): only in a folder no one else may enter, a socket
left by a previous run replaced, and a sender that never blocks or raises when no one reads."""

from __future__ import annotations

import os
import time

import pytest

from sensors.dgramsend import DatagramSender
from sensors.errors import InputUnavailable
from sensors.localchannel import LocalReceiver
from tests.conftest import wait_until


def test_datagrams_cross_the_channel_and_a_stale_socket_is_replaced(tmp_path):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    path = str(run / "camera.sock")
    got: list[bytes] = []
    first = LocalReceiver(path, lambda dgram, sender: None)
    first.sock.close()  # a conductor killed: its socket file stays behind
    receiver = LocalReceiver(path, lambda dgram, sender: got.append(dgram)).start()
    try:
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        with DatagramSender(path) as sender:
            for i in range(100):
                assert sender.send(b"/a/b\x00\x00\x00\x00,i\x00\x00" + i.to_bytes(4, "big"))
            wait_until(lambda: len(got) == 100, 3.0, "100 datagrams")
    finally:
        receiver.close()
    assert [int.from_bytes(d[-4:], "big") for d in got] == list(range(100)) and not os.path.exists(path)


def test_a_folder_others_may_enter_is_refused(tmp_path):
    for mode in (0o755, 0o770, 0o701):
        folder = tmp_path / f"open{mode:o}"
        folder.mkdir()
        folder.chmod(mode)
        with pytest.raises(InputUnavailable, match="others may enter it"):
            LocalReceiver(str(folder / "camera.sock"), lambda dgram, sender: None)
    with pytest.raises(InputUnavailable, match="No such file"):
        LocalReceiver(str(tmp_path / "missing" / "camera.sock"), lambda dgram, sender: None)


def test_a_sender_without_a_reader_drops_and_goes_on(tmp_path, caplog):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    path = str(run / "camera.sock")
    with DatagramSender(path, name="camera 0") as sender:
        assert not any(sender.send(b"/a/b\x00\x00\x00\x00") for _ in range(1000))  # no conductor yet
        receiver = LocalReceiver(path, lambda dgram, sender: time.sleep(0.5)).start()  # one behind
        try:
            start = time.monotonic()
            results = [sender.send(b"/a/b\x00\x00\x00\x00") for _ in range(20)]
            assert time.monotonic() - start < 1.0  # never held up for long: a full queue waits 50 ms at most
            assert results[:5] == [True] * 5 and not all(results)
        finally:
            receiver.close()
    assert sender.dropped >= 1001 and len(caplog.records) <= 2
