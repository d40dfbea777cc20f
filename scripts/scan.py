"""``make scan``: sqlmap and wapiti against a local instance with demo data; fails on any finding.

The instance runs as in production (``LMS_ENV=production``, gunicorn, HTTPS with a throw-away
self-signed certificate, fresh random keys) on a loopback port, with a small demo city and its
results published. Both scanners run signed in (city admin and trainee) as well as anonymously.
What was scanned and what was found is written to ``scan-report/`` and summarised on stdout.
"""

# ruff: noqa: RUF005  (command lines read best as concatenated groups of options)
from __future__ import annotations

import argparse
import contextlib
import csv
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from lms.testing.server import GunicornServer, ServerDidNotStart

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT / ".venv" / "bin"
DEMO_PASSWORD = "Changzhi-Demo-2026"  # noqa: S105 (the published demo sign-in)
#: Pages that would end the scanner's own session or change its password.
SESSION_ENDING = r"logout|account/password"
#: wapiti modules run: every default one but ssrf and xxe, which need wapiti's servers on the
#: internet to observe callbacks (the scan stays on loopback).
WAPITI_MODULES = (
    "sql,blindsql,xss,permanentxss,exec,file,redirect,crlf,methods,http_headers,csp,cookieflags"
)
#: wapiti 3.0.4 asks for ``X-XSS-Protection: 1``; current advice (OWASP secure headers, MDN) is
#: to turn the browsers' XSS auditor off, which the application does (``0``); modern browsers
#: removed the auditor anyway. The Content-Security-Policy is what stops injected scripts.
WAIVED = {("HTTP Secure Headers", "X-XSS-Protection is not set")}


@dataclass
class Instance:
    url: str
    env: dict[str, str]
    accounts: dict[str, str]
    api_token: str
    certificate_number: str
    server: GunicornServer


@dataclass
class Finding:
    scanner: str
    kind: str
    where: str
    detail: str


@dataclass
class Report:
    targets: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    traffic: list[str] = field(default_factory=list)


def run(command: list[str], env: dict[str, str], **kwargs: object) -> str:
    result = subprocess.run(  # noqa: S603 (our own commands, no shell)
        command, env=env, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(workdir: Path, trainees: int, institutions: int) -> Instance:
    server = GunicornServer(
        {},
        options=["--workers", "2", "--threads", "4", "--timeout", "60"]
        + ["--access-logfile", str(workdir / "access.log"), "--access-logformat", ACCESS_FORMAT],
        log=workdir / "gunicorn.log",
        certfile=workdir / "cert.pem",
        keyfile=workdir / "key.pem",
    )
    url = server.base
    server.env = env = {
        **os.environ,
        "LMS_ENV": "production",
        "LMS_SECRET_KEY": secrets.token_urlsafe(48),
        "LMS_DATA_KEY": secrets.token_urlsafe(48),
        "LMS_INSTANCE_PATH": str(workdir / "instance"),
        "LMS_DATABASE_URL": f"sqlite:///{workdir / 'scan.sqlite3'}",
        "LMS_PUBLIC_URL": url,
        "LMS_CERT_FONT_CACHE": str(workdir / "fonts"),
        # The scanners send thousands of sign-ins; throttling would only hide the form from them.
        "LMS_LOGIN_RATE_LIMIT": "100000 per minute",
        "LMS_JOB_WORKERS": "1",
    }
    env.pop("LMS_REDIS_URL", None)
    lms = str(VENV_BIN / "lms")
    run([lms, "db", "upgrade"], env)
    run(
        [lms, "demo", "seed", f"--trainees={trainees}", f"--institutions={institutions}"]
        + ["--with-results"],
        env,
    )
    facts = json.loads(run([str(VENV_BIN / "python"), "-c", FACTS_SCRIPT], env))
    run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
        env,
    )
    return Instance(
        url=url,
        env=env,
        accounts=facts["accounts"],
        api_token=facts["token"],
        certificate_number=facts["certificate"],
        server=server,
    )


#: Run inside the instance's environment: the demo sign-ins, a city API token, a certificate.
FACTS_SCRIPT = """
import json
from sqlalchemy import select
from lms import create_app
from lms.accounts.models import User
from lms.api.services import create_token
from lms.certification import services
from lms.core.roles import Role
from lms.db import db, transaction
from lms.demo.seed import demo_accounts

with create_app().app_context():
    accounts = {account.role.value: account.username for account in demo_accounts()}
    with transaction():
        admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).limit(1))
        token, _ = create_token(admin, "scan", None, 1)
        number = services.issue(services.eligible(limit=1)[0]).number
    print(json.dumps({"accounts": accounts, "token": token, "certificate": number}))
"""


ACCESS_FORMAT = '%(s)s %(m)s "%(U)s"'
ACCESS_LINE = re.compile(r'^(?P<status>\d{3}) (?P<method>\S+) "(?P<path>[^"]*)"')


@contextlib.contextmanager
def phase(name: str, workdir: Path, report: Report) -> Iterator[None]:
    """Account for the requests a scanner made: how many, on how many paths, with what answers;
    a server error is a finding whatever the scanner concluded."""
    log = workdir / "access.log"
    start = log.stat().st_size if log.exists() else 0
    yield
    with log.open("rb") as handle:
        handle.seek(start)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    statuses: dict[str, int] = {}
    paths: set[str] = set()
    for line in lines:
        match = ACCESS_LINE.match(line)
        if match is None:
            continue
        statuses[match["status"]] = statuses.get(match["status"], 0) + 1
        paths.add(f"{match['method']} {match['path']}")
        if match["status"].startswith("5"):
            report.findings.append(Finding(name, "server error", match["path"], match["status"]))
    answers = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
    report.traffic.append(f"{name}: {len(lines)} requests to {len(paths)} method+paths ({answers})")


@contextlib.contextmanager
def serving(instance: Instance, workdir: Path) -> Iterator[None]:
    try:
        instance.server.start()
    except ServerDidNotStart:
        sys.exit(f"the instance did not start; see {workdir / 'gunicorn.log'}")
    try:
        yield
    finally:
        instance.server.stop()


def opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own throw-away certificate on loopback
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context),
        urllib.request.HTTPCookieProcessor(jar if jar is not None else http.cookiejar.CookieJar()),
    )


def sign_in(instance: Instance, username: str) -> str:
    """The session cookie's value after signing in through the form."""
    jar = http.cookiejar.CookieJar()
    browser = opener(jar)
    page = browser.open(f"{instance.url}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    # Over HTTPS, Flask-WTF also wants a Referer from the site itself.
    posted = urllib.request.Request(  # noqa: S310 (the instance's own https address)
        f"{instance.url}/login",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{instance.url}/login"},
    )
    browser.open(posted).read()
    session = next((c.value for c in jar if c.name == "lms_session"), None)
    assert session, f"could not sign in as {username}"
    return session


class _Links(HTMLParser):
    """Links and GET forms of a page, as URLs with query strings."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form" and values.get("method", "get").lower() == "get":
            self._form = (values.get("action", ""), {})
        elif (
            tag in ("input", "select")
            and self._form is not None
            and values.get("name")
            and values.get("type") not in ("submit", "button")
        ):
            self._form[1].setdefault(values["name"], values.get("value") or "1")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            action, fields = self._form
            if fields:
                self.links.append(f"{action}?{urllib.parse.urlencode(fields)}")
            self._form = None


def discover(instance: Instance, session: str | None, depth: int = 2) -> list[str]:
    """GET addresses with parameters reachable from the home page, one per path."""
    browser = opener()
    headers = {"Cookie": f"lms_session={session}"} if session else {}
    site = urllib.parse.urlsplit(instance.url).netloc
    visited: set[str] = set()
    with_parameters: dict[str, str] = {}
    frontier = [f"{instance.url}/", f"{instance.url}/verify"]
    for _ in range(depth + 1):
        following: list[str] = []
        for address in frontier:
            parts = urllib.parse.urlsplit(address)
            if parts.netloc != site or re.search(SESSION_ENDING, parts.path):
                continue
            if re.search(r"\.(pdf|zip|xlsx|csv|png|jpg|svg|css|js|json|jwt|pem)$", parts.path):
                continue
            if parts.query:
                with_parameters.setdefault(parts.path, address)
            if parts.path in visited:
                continue
            visited.add(parts.path)
            try:
                response = browser.open(
                    urllib.request.Request(address, headers=headers),  # noqa: S310 (https, loopback)
                    timeout=30,
                )
            except urllib.error.HTTPError:
                continue
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            parser = _Links()
            parser.feed(response.read().decode("utf-8", "replace"))
            following += [urllib.parse.urljoin(response.url, link) for link in parser.links]
        frontier = following
    return sorted(with_parameters.values())


def sqlmap(instance: Instance, workdir: Path, report: Report) -> None:
    sessions = {
        "city_admin": sign_in(instance, instance.accounts["city_admin"]),
        "trainee": sign_in(instance, instance.accounts["trainee"]),
    }
    jobs: list[tuple[str, list[str]]] = []
    for who, session in [("anonymous", None), *sessions.items()]:
        targets = discover(instance, session)
        report.targets += [f"sqlmap GET ({who}): {target}" for target in targets]
        listing = workdir / f"sqlmap-{who}.txt"
        listing.write_text("\n".join(targets) + "\n")
        cookie = [f"--cookie=lms_session={session}"] if session else []
        jobs.append((who, ["-m", str(listing), "--threads=4", *cookie]))
    number = instance.certificate_number
    api = [f"{instance.url}/api/v1/{path}" for path in API_TARGETS]
    report.targets += [f"sqlmap API (bearer token): {target}" for target in api]
    (workdir / "sqlmap-api.txt").write_text("\n".join(api) + "\n")
    jobs.append(
        (
            "api",
            [
                "-m",
                str(workdir / "sqlmap-api.txt"),
                "--threads=4",
                f"--headers=Authorization: Bearer {instance.api_token}",
            ],
        )
    )
    jobs.append(("verify", ["-u", f"{instance.url}/verify/{number}*"]))
    report.targets.append(f"sqlmap path: {instance.url}/verify/<number>")
    jobs.append(
        (
            "login",
            [
                "-u",
                f"{instance.url}/login",
                "--data=username=scan&password=Not-The-Password-1&csrf_token=x",
                "--csrf-token=csrf_token",
                f"--csrf-url={instance.url}/login",
                f"--referer={instance.url}/login",
                "-p",
                "username,password",
            ],
        )
    )
    report.targets.append(f"sqlmap POST: {instance.url}/login (username, password)")
    for who, arguments in jobs:
        results = workdir / f"sqlmap-{who}-results.csv"
        with phase(f"sqlmap {who}", workdir, report):
            output = _sqlmap(arguments, results, workdir, instance)
        (workdir / f"sqlmap-{who}.log").write_text(output)
        if results.exists():
            with results.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    if row.get("Parameter"):
                        report.findings.append(
                            Finding("sqlmap", "SQL injection", row["Target URL"], row["Parameter"])
                        )


def _sqlmap(arguments: list[str], results: Path, workdir: Path, instance: Instance) -> str:
    return run(
        ["sqlmap", "--batch", "--flush-session", "--disable-coloring", "--level=2"]
        + ["--risk=1", "--dbms=SQLite", "--time-sec=2"]
        + [f"--output-dir={workdir / 'sqlmap'}", f"--results-file={results}"]
        + ["--skip-static", "--answers=follow=N,quit=N", *arguments],
        instance.env,
    )


API_TARGETS = [
    "rates?date=2026-06-30&district=140402",
    "institutions?page=1&per_page=10&district=140402",
    "staff?page=1&per_page=10&institution=1&date=2026-06-30",
    "cohorts?page=1&per_page=10",
    "results?page=1&per_page=10",
    "certificates?page=1&per_page=10",
]


#: Debian's wapiti 3.0.4 compiles its exclusion patterns with a trailing ``(?ms)``, which Python
#: 3.11 refuses ("global flags not at the start"); the same patterns with the flags in front.
WAPITI_SHIM = """
import re, sys
from wapitiCore.net import crawler

def wildcard_translate(pattern):
    return re.compile("(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\\Z")

crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"""


def wapiti(instance: Instance, workdir: Path, report: Report, max_seconds: int) -> None:
    host = urllib.parse.urlsplit(instance.url).hostname
    # The city admin's scan resets passwords and deactivates accounts: it comes last.
    for who in ("anonymous", "trainee", "city_admin"):
        arguments = []
        if who != "anonymous":
            cookie = {
                host: {
                    "/": {
                        "lms_session": {
                            "value": sign_in(instance, instance.accounts[who]),
                            "expires": None,
                            "secure": True,
                            "port": None,
                            "version": 0,
                        }
                    }
                }
            }
            cookie_file = workdir / f"wapiti-{who}-cookie.json"
            cookie_file.write_text(json.dumps(cookie))
            arguments = ["-c", str(cookie_file)]
        output = workdir / f"wapiti-{who}.json"
        report.targets.append(f"wapiti ({who}): crawl from / to depth 3, modules {WAPITI_MODULES}")
        with phase(f"wapiti {who}", workdir, report):
            _wapiti(instance, workdir, output, arguments, max_seconds)
        result = json.loads(output.read_text())
        for section in ("vulnerabilities", "anomalies"):
            for kind, entries in result.get(section, {}).items():
                for entry in entries:
                    finding = Finding("wapiti", kind, entry.get("path", ""), entry.get("info", ""))
                    waived = (kind, finding.detail) in WAIVED
                    (report.waived if waived else report.findings).append(finding)


def _wapiti(
    instance: Instance, workdir: Path, output: Path, arguments: list[str], max_seconds: int
) -> None:
    run(
        [
            "/usr/bin/python3",
            "-c",
            WAPITI_SHIM,
            "-u",
            f"{instance.url}/",
            "--scope",
            "folder",
            "-m",
            WAPITI_MODULES,
        ]
        + ["-x", f"{instance.url}/logout", "-x", f"{instance.url}/account/password"]
        + ["-d", "3", "--max-links-per-page", "40", "--max-files-per-dir", "15"]
        + ["--max-scan-time", str(max_seconds), "--max-attack-time", str(max_seconds // 6)]
        + ["--flush-session", "--no-bugreport", "-v", "0", "-f", "json", "-o", str(output)]
        + ["--store-session", str(workdir / "wapiti-session"), *arguments],
        instance.env,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=400)
    parser.add_argument("--institutions", type=int, default=40)
    parser.add_argument("--wapiti-seconds", type=int, default=180, help="per role")
    parser.add_argument("--out", default=str(PROJECT / "scan-report"))
    options = parser.parse_args()
    for tool in ("sqlmap", "wapiti", "openssl"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (make scan installs it with apt-get)")
    out = Path(options.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="lms-scan-") as temporary:
        workdir = Path(temporary)
        started = time.monotonic()
        instance = prepare(workdir, options.trainees, options.institutions)
        with serving(instance, workdir):
            sqlmap(instance, workdir, report)
            wapiti(instance, workdir, report, options.wapiti_seconds)
        for kept in workdir.glob("*.json"):
            if "cookie" not in kept.name:
                shutil.copy(kept, out / kept.name)
        for kept in [*workdir.glob("sqlmap-*.txt"), *workdir.glob("sqlmap-*.log")]:
            shutil.copy(kept, out / kept.name)
        shutil.copy(workdir / "gunicorn.log", out / "gunicorn.log")
        shutil.copy(workdir / "access.log", out / "access.log")
    elapsed = time.monotonic() - started
    lines = [
        f"# make scan ({elapsed:.0f} s)",
        "",
        "## Scanned",
        *[f"- {t}" for t in report.targets],
    ]
    lines += ["", "## Traffic (gunicorn's access log)", *[f"- {t}" for t in report.traffic]]
    lines += ["", "## Findings", *([f"- {f}" for f in report.findings] or ["- none"])]
    lines += [
        "",
        "## Waived (with the reason in scripts/scan.py)",
        *[f"- {f}" for f in report.waived],
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if report.findings:
        print(f"\n{len(report.findings)} finding(s): see {out}", file=sys.stderr)
        return 1
    print(f"\nNo findings. Reports in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
