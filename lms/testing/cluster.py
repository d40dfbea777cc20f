"""The production layout of docs/deploy.md on one machine, for the cluster benchmark and test:
nginx in front of several gunicorn web nodes (an upstream of all of them), sharing one
PostgreSQL database and one Redis, with Celery workers taking jobs from the Redis queue.

    with Cluster(env, folder, nodes=2, workers=2) as cluster:
        urlopen(cluster.base + "/healthz")     # through nginx
        cluster.nodes[0].kill()                # SIGKILL one web node; nginx carries on

Everything runs as the current user under ``folder`` (nginx's configuration, pid, logs and
buffers; the nodes' and workers' logs); nothing listens outside 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from lms.testing.server import ROOT, GunicornServer, ServerDidNotStart, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

#: As deploy.md §6, with an upstream of every node. A node that fails (connection refused or
#: reset, no answer within the connect timeout) is skipped for ``fail_timeout``; nginx retries
#: only idempotent requests on the next node by itself, so a POST caught on a dying node comes
#: back as 502 and the phone (or the benchmark's client) sends it again.
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    upstream lms {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://lms;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


class Cluster:
    """nginx + ``nodes`` gunicorn web nodes + ``workers`` Celery workers, sharing ``env``'s
    database (LMS_DATABASE_URL) and Redis (LMS_REDIS_URL, also the job queue)."""

    def __init__(
        self,
        env: dict[str, str],
        folder: Path,
        *,
        nodes: int = 2,
        workers: int = 2,
        web_options: Sequence[str] = ("--worker-class", "gthread", "--workers", "2"),
        worker_concurrency: int = 1,
    ) -> None:
        assert env.get("LMS_REDIS_URL"), "the nodes share rate limits and jobs through Redis"
        self.env, self.folder = env, folder
        self.nodes = [
            GunicornServer(env, options=web_options, log=folder / f"node-{n}.log")
            for n in range(nodes)
        ]
        self.worker_count, self.worker_concurrency = workers, worker_concurrency
        self.workers: list[subprocess.Popen[bytes]] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> Cluster:
        try:
            for node in self.nodes:
                node.start()
            for number in range(self.worker_count):
                self.workers.append(self._start_worker(number))
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_worker(self, number: int) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms.jobs.worker",
            "worker",
            "--queues",
            self.env.get("LMS_CELERY_QUEUE", "lms"),
            "-c",
            str(self.worker_concurrency),
            "--hostname",
            f"worker{number}-{self.port}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        with (self.folder / f"worker-{number}.log").open("ab") as log:
            return subprocess.Popen(  # noqa: S603 (our own command, no shell)
                command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def nginx_conf(self) -> str:
        servers = "\n".join(
            f"        server 127.0.0.1:{node.port} max_fails=1 fail_timeout=10s;"
            for node in self.nodes
        )
        # nginx started by root would hand its workers to "nobody", who cannot use the folder.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        return NGINX_CONF.format(folder=self.folder, servers=servers, port=self.port, user=user)

    def _start_nginx(self) -> None:
        config = self.folder / "nginx.conf"
        config.write_text(self.nginx_conf())
        with (self.folder / "nginx.log").open("ab") as log:
            self.nginx = subprocess.Popen(  # noqa: S603 (our own command, no shell)
                [
                    NGINX,
                    "-p",
                    str(self.folder),
                    "-e",
                    str(self.folder / "nginx-error.log"),
                    "-c",
                    str(config),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2).close()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    raise ServerDidNotStart(
                        f"nginx did not start; see {self.folder}/nginx-error.log"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop nginx, the workers and the nodes still running; idempotent."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.nginx.wait(timeout=10)
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
