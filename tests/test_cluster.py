"""Two web nodes behind nginx (lms.testing.cluster), sharing PostgreSQL and Redis: what one node
does, the other knows — a sign-out on node A ends the session (and the exam's autosave token)
on node B, and a rate limit counts the requests of both. The exam across both nodes with one
killed mid-exam and a certificate job on the Celery workers is the cluster benchmark's smoke
run (tests/test_bench_smoke.py::test_cluster_smoke).

Needs PostgreSQL (LMS_TEST_DATABASE_URL), Redis (LMS_TEST_REDIS_URL) and nginx; skipped with
the reason otherwise."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

import pytest

DATABASE = os.environ.get("LMS_TEST_DATABASE_URL", "")
REDIS = os.environ.get("LMS_TEST_REDIS_URL", "")
pytestmark = [
    pytest.mark.skipif(
        not DATABASE.startswith("postgresql"),
        reason="the web nodes share a PostgreSQL database: set LMS_TEST_DATABASE_URL",
    ),
    pytest.mark.skipif(not REDIS, reason="the nodes share Redis: set LMS_TEST_REDIS_URL"),
    pytest.mark.skipif(
        shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
        reason="nginx is not installed (scripts/system-packages.sh test)",
    ),
]
LOGIN_LIMIT = 6


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Browser:
    """One phone: its cookies, sent to whichever node it is pointed at."""

    def __init__(self, address: str) -> None:
        self.cookies: dict[str, str] = {}
        self.address = address  # X-Forwarded-For, as nginx would set it

    def request(
        self,
        base: str,
        method: str,
        path: str,
        *,
        data: Any = None,
        json_body: Any = None,
        headers: Any = None,
    ) -> tuple[int, str, dict[str, str]]:
        body, sent = None, {"X-Forwarded-For": self.address, **(headers or {})}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(  # noqa: S310 (the test cluster on loopback)
            base + path, data=body, headers=sent, method=method
        )
        try:
            response: HTTPResponse = OPENER.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error  # type: ignore[assignment]
        with contextlib.closing(response):
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            text = response.read().decode()
            return response.status, text, dict(response.headers)

    def csrf(self, base: str, path: str = "/login") -> str:
        _, page, _ = self.request(base, "GET", path)
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from bench.common import migrate, postgresql_database
    from bench.exam_load import DATA_KEY, SECRET_KEY, prepare
    from lms.testing.cluster import Cluster

    yield from _cluster(migrate, postgresql_database, DATA_KEY, SECRET_KEY, prepare, Cluster)


def _cluster(migrate, postgresql_database, DATA_KEY, SECRET_KEY, prepare, Cluster):
    with postgresql_database() as url, tempfile.TemporaryDirectory(prefix="lms-c-") as folder:
        migrate(url)
        candidates = prepare(url, folder, 2, institutions=20)
        env = {
            **os.environ,
            "LMS_ENV": "production",
            "LMS_DATABASE_URL": url,
            "LMS_REDIS_URL": REDIS,
            "LMS_INSTANCE_PATH": folder,
            "LMS_SECRET_KEY": SECRET_KEY,
            "LMS_DATA_KEY": DATA_KEY,
            "LMS_PROXY_HOPS": "1",
            "LMS_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        }
        options = ("--worker-class", "gthread", "--workers", "1", "--threads", "4")
        with Cluster(env, Path(folder), nodes=2, workers=0, web_options=options) as running:
            running.candidates = candidates
            yield running


def fresh_address() -> str:
    """A client address no earlier run used (Redis keeps a minute's counts per address)."""
    number = random.getrandbits(24)
    return f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"


def sign_in(phone: Browser, base: str, username: str) -> None:
    from bench.exam_client import PASSWORD

    token = phone.csrf(base)
    status, _, _ = phone.request(
        base,
        "POST",
        "/login",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
    )
    assert status == 302


def test_a_sign_out_on_one_node_ends_the_session_and_the_exam_token_on_the_other(cluster):
    node_a, node_b = (node.base for node in cluster.nodes)
    username, candidate_id = sorted(cluster.candidates.items())[0]
    phone = Browser(fresh_address())
    sign_in(phone, node_a, username)
    token = phone.csrf(node_b, f"/exams/my/{candidate_id}")  # node B knows the session
    status, _, headers = phone.request(
        node_b, "POST", f"/exams/my/{candidate_id}/start", data={"csrf_token": token}
    )
    assert status == 302
    _, paper, _ = phone.request(node_b, "GET", urllib.parse.urlsplit(headers["Location"]).path)
    url, exam_token = re.search(
        r'data-autosave-url="([^"]+)" data-autosave-token="([^"]+)"', paper
    ).groups()
    position = int(re.search(r'data-position="(\d+)" data-type="single"', paper).group(1))

    def save(base: str, seq: int) -> int:
        status, _, _ = phone.request(
            base,
            "POST",
            url,
            json_body={"position": position, "value": ["A"], "seq": seq},
            headers={"X-Exam-Token": exam_token},
        )
        return status

    assert save(node_a, 1) == 200 and save(node_b, 2) == 200
    old_cookies = dict(phone.cookies)
    status, _, _ = phone.request(node_a, "POST", "/logout", data={"csrf_token": token})
    assert status in (302, 303)
    phone.cookies = old_cookies  # the cookie a thief kept, or another tab's
    status, _, headers = phone.request(node_b, "GET", "/exams/my/")
    assert status == 302 and "/login" in headers["Location"]
    assert save(node_b, 3) == 401
    assert save(node_a, 4) == 401


def test_a_rate_limit_counts_the_requests_of_both_nodes(cluster):
    node_a, node_b = (node.base for node in cluster.nodes)
    phone = Browser(fresh_address())
    token = phone.csrf(node_a)
    guesses = []
    for number in range(LOGIN_LIMIT + 1):
        base = (node_a, node_b)[number % 2]
        status, _, _ = phone.request(
            base,
            "POST",
            "/login",
            data={"csrf_token": token, "username": "nobody-here", "password": f"guess-{number}"},
        )
        guesses.append(status)
    assert 429 not in guesses[:LOGIN_LIMIT], guesses
    assert guesses[LOGIN_LIMIT] == 429, guesses
    # Another address is not affected: the limit is per address, shared by the nodes.
    other = Browser(fresh_address())
    status, _, _ = other.request(
        node_b,
        "POST",
        "/login",
        data={"csrf_token": other.csrf(node_b), "username": "nobody-here", "password": "x"},
    )
    assert status != 429


def test_nginx_carries_on_when_a_node_is_killed(cluster):
    """Last (it kills a node): after a SIGKILL of one node every request through nginx is
    still answered, by the other."""
    phone = Browser("192.0.2.1")
    assert [phone.request(cluster.base, "GET", "/healthz")[0] for _ in range(4)] == [200] * 4
    cluster.nodes[0].kill()
    assert [phone.request(cluster.base, "GET", "/healthz")[0] for _ in range(10)] == [200] * 10
