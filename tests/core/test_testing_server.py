"""The gunicorn helper the browser tests, the benchmarks and ``make scan`` share."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

from lms.testing.server import GunicornServer, ServerDidNotStart


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _answers(url: str) -> bool:
    try:
        _status(url)
    except OSError:
        return False
    return True


def test_it_serves_survives_a_crash_on_the_same_port_and_stops(tmp_path):
    log = tmp_path / "server.log"
    server = GunicornServer(
        dict(os.environ), application="bench.hello_app:app", options=["--workers", "2"],
        log=log, ready_path="/",
    )  # fmt: skip
    with server:
        assert _status(f"{server.base}/") == 405  # hello_app answers POST only
        port = server.port
        server.kill()  # master and workers at once, as a crash
        assert not _answers(f"{server.base}/")
        server.start()
        assert server.port == port and _status(f"{server.base}/") == 405
    assert server.process is not None and server.process.returncode == 0
    assert not _answers(f"{server.base}/")
    assert "Booting worker" in log.read_text()


def test_a_server_that_cannot_start_is_reported(tmp_path):
    server = GunicornServer(
        dict(os.environ), application="no_such_module:app", log=tmp_path / "x.log", timeout=20
    )
    with pytest.raises(ServerDidNotStart, match=r"x\.log"):
        server.start()
    assert server.process is not None and server.process.poll() is not None
