"""The simulated candidates of the exam benchmarks (``exam_load``, ``cluster``): they sign in,
start together, open the paper, autosave every answer through the attempt's token path
(``/exams/autosave``) and hand the paper in — retrying like the exam page on a phone does when
a request fails or a gateway answers 502/503/504 (a web node lost behind nginx).

An answer counts as acknowledged when the server answered it with 200 (saved, or a newer or
the same answer already stored), as the exam page drops it from the phone's queue then."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "Bench-Exam-Load-2026"  # noqa: S105 (throw-away benchmark accounts)
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
QUESTION = re.compile(r'data-position="(\d+)" data-type="(\w+)"')
ATTEMPT = re.compile(r'data-attempt="(\d+)"')
AUTOSAVE = re.compile(r'data-autosave-url="([^"]+)" data-autosave-token="([^"]+)"')
#: What a phone retries: the connection failed, or the gateway had no answer from a node.
RETRY_STATUSES = frozenset({502, 503, 504})
RETRIES = 12


@dataclass
class Stats:
    save_ms: list[float] = field(default_factory=list)
    paper_ms: list[float] = field(default_factory=list)
    requests: int = 0
    saves: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    username: str
    candidate_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""
    attempt_id: int = 0
    autosave: tuple[str, str] = ("", "")
    questions: list[tuple[int, str]] = field(default_factory=list)
    acknowledged: dict[int, Any] = field(default_factory=dict)
    submitted: bool = False


class Client:
    """Requests over a fixed pool of keep-alive connections; each candidate keeps its own
    cookies (the pool is shared, as behind a load balancer)."""

    def __init__(self, base: str, connections: int) -> None:
        import aiohttp

        self.base = base
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=120),
        )
        self.slots = asyncio.Semaphore(connections)

    async def request(
        self,
        who: Candidate | None,
        method: str,
        path: str,
        stats: Stats,
        *,
        retry: bool = True,
        **kwargs: Any,
    ) -> tuple[int, str, float]:
        """(status, body or Location, milliseconds of the last try); a failed try is retried
        with a growing pause, as the exam page does; an error is counted only when every try
        failed."""
        pause = 0.1
        for attempt in range(RETRIES if retry else 1):
            status, body, elapsed, failure = await self._once(who, method, path, kwargs)
            if failure is None and status not in RETRY_STATUSES:
                break
            if attempt + 1 < (RETRIES if retry else 1):
                stats.retries += 1
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
        if failure is not None:
            stats.errors.append(f"{method} {path}: {failure}")
            return 0, "", 0.0
        stats.requests += 1
        if status >= 400:
            stats.errors.append(f"{method} {path}: HTTP {status}")
        return status, body, elapsed

    async def _once(
        self, who: Candidate | None, method: str, path: str, kwargs: dict[str, Any]
    ) -> tuple[int, str, float, str | None]:
        headers = dict(kwargs.get("headers", {}))
        if who is not None and who.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in who.cookies.items())
        options = {k: v for k, v in kwargs.items() if k != "headers"}
        async with self.slots:
            started = time.perf_counter()
            try:
                async with self.http.request(
                    method, self.base + path, headers=headers, allow_redirects=False, **options
                ) as response:
                    body = (
                        response.headers.get("Location", "")
                        if response.status in (301, 302, 303)
                        else await response.text()
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    if who is not None:
                        for cookie in response.cookies.values():
                            who.cookies[cookie.key] = cookie.value
            except Exception as error:  # the connection failed: retried, then counted
                return 0, "", 0.0, f"{type(error).__name__} {error}"
        return response.status, body, elapsed, None

    async def close(self) -> None:
        await self.http.close()


def _token(body: str) -> str:
    match = TOKEN.search(body)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def sign_in(client: Client, who: Candidate, stats: Stats, tries: int = 5) -> None:
    """Sign in, as a person would: pressing the button again when it failed (on SQLite a
    sign-in waits for the write lock, and 1,700 at once can wait past its timeout)."""
    for _ in range(tries):
        failed = len(stats.errors)
        _, body, _ = await client.request(who, "GET", "/login", stats)
        status, _, _ = await client.request(
            who,
            "POST",
            "/login",
            stats,
            data={"csrf_token": _token(body), "username": who.username, "password": PASSWORD},
        )
        if status == 302:
            break
        del stats.errors[failed:]
        stats.retries += 1
    else:
        stats.errors.append(f"sign-in of {who.username}: HTTP {status}")
    _, body, _ = await client.request(who, "GET", f"/exams/my/{who.candidate_id}", stats)
    who.token = _token(body)


def _answer(kind: str, rng: random.Random) -> Any:
    if kind == "single":
        return [rng.choice("ABCD")]
    if kind == "multiple":
        return sorted(rng.sample("ABCD", rng.randint(1, 3)))
    return rng.random() < 0.5


async def open_paper(client: Client, who: Candidate, stats: Stats) -> None:
    """Start (or resume) and load the paper: its questions and the autosave token."""
    status, location, _ = await client.request(
        who, "POST", f"/exams/my/{who.candidate_id}/start", stats, data={"csrf_token": who.token}
    )
    if status != 302 or "/attempts/" not in location:
        stats.errors.append(f"start of {who.username}: HTTP {status} {location}")
        return
    path = location.removeprefix(client.base)
    path = path[path.index("/exams/") :] if "/exams/" in path else path
    status, paper, elapsed = await client.request(who, "GET", path, stats)
    found, autosave = ATTEMPT.search(paper), AUTOSAVE.search(paper)
    if status != 200 or not found or not autosave:
        stats.errors.append(f"paper of {who.username}: HTTP {status}")
        return
    stats.paper_ms.append(elapsed)
    who.attempt_id = int(found.group(1))
    who.autosave = (autosave.group(1), autosave.group(2))
    who.questions = [(int(p), kind) for p, kind in QUESTION.findall(paper)]


async def answer_all(
    client: Client,
    who: Candidate,
    stats: Stats,
    rng: random.Random,
    pause: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Autosave one answer per question, in order, each with a growing ordering number."""
    url, token = who.autosave
    seq = int(time.time() * 1000)
    for position, kind in who.questions:
        value = _answer(kind, rng)
        seq += 1
        status, body, elapsed = await client.request(
            who,
            "POST",
            url,
            stats,
            json={"position": position, "value": value, "seq": seq},
            headers={"X-Exam-Token": token},
        )
        stats.saves += 1
        stats.save_ms.append(elapsed)
        if status == 200 and '"saved"' in body:
            who.acknowledged[position] = value
        if pause is not None:
            await pause()


async def hand_in(client: Client, who: Candidate, stats: Stats) -> None:
    status, _, _ = await client.request(
        who,
        "POST",
        f"/exams/my/attempts/{who.attempt_id}/submit",
        stats,
        data={"csrf_token": who.token},
    )
    who.submitted = status == 302


async def everyone(calls: list[Callable[[], Awaitable[None]]]) -> None:
    await asyncio.gather(*(call() for call in calls))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def hello_run(base: str, connections: int, requests: int) -> float:
    """Requests per second of the hello-world application: the ceiling."""
    client = Client(base, connections)
    stats = Stats()

    async def loop() -> None:
        for _ in range(requests // connections):
            await client.request(
                None, "POST", "/", stats, retry=False, json={"position": 1, "value": ["A"]}
            )

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(connections)))
    seconds = time.perf_counter() - started
    await client.close()
    if stats.errors:
        raise RuntimeError(f"hello-world errors: {stats.errors[:3]}")
    return stats.requests / seconds
