"""A gunicorn server on a free loopback port: the one way the browser tests, the benchmarks and
``make scan`` start the application (or another WSGI app) as a real server process.

    with GunicornServer(env, log=path) as server:
        urlopen(server.base + "/healthz")

The port is chosen when the object is made, so its URL can go into the environment
(``LMS_PUBLIC_URL``) before the server starts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerDidNotStart(RuntimeError):
    pass


class GunicornServer:
    """gunicorn serving ``application`` with ``env`` on a free port of 127.0.0.1.

    ``options`` are extra gunicorn options (workers, threads, access log…); with ``certfile``
    and ``keyfile`` it serves HTTPS. Output goes to ``log`` (appended) or is discarded.
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        application: str = "lms.wsgi:app",
        options: Sequence[str] = ("--workers", "2", "--threads", "4"),
        log: Path | None = None,
        ready_path: str = "/healthz",
        certfile: Path | None = None,
        keyfile: Path | None = None,
        timeout: float = 60,
    ) -> None:
        self.env, self.application, self.options = env, application, list(options)
        self.port = free_port()
        self.tls = certfile is not None
        if self.tls:
            assert keyfile is not None, "HTTPS needs both a certificate and its key"
            self.options += ["--certfile", str(certfile), "--keyfile", str(keyfile)]
        self.base = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
        self.log_path, self.ready_path, self.timeout = log, ready_path, timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> GunicornServer:
        """Start the server and return once it answers ``ready_path`` (any HTTP status)."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.options,
            self.application,
        ]
        output = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            # Its own process group, so that kill() reaches the workers too.
            self.process = subprocess.Popen(  # noqa: S603 (our own command, no shell)
                command,
                env=self.env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if not isinstance(output, int):
                output.close()  # the child keeps its own copy
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        context = ssl._create_unverified_context() if self.tls else None  # noqa: S323 (loopback, throw-away certificate)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                urllib.request.urlopen(  # noqa: S310 (loopback)
                    f"{self.base}{self.ready_path}", timeout=2, context=context
                ).close()
                return
            except urllib.error.HTTPError:
                return  # it answers; the status is the caller's business
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    where = f"; see {self.log_path}" if self.log_path else ""
                    raise ServerDidNotStart(f"gunicorn did not start{where}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a crash would."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the master, which stops its workers); idempotent."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
