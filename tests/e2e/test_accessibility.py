"""Accessibility and layout of every page each demo role can reach, at 1280 and 360 px.

Each role signs in and walks its pages: every GET route of the application without parameters,
and every page linked from a page it saw (so routes with ids are reached with real ids of the
seeded world), one address per route. On each page, at both widths:

- axe-core (the copy bundled in the ``axe-playwright-python`` package, injected by the test
  driver: no CDN) finds no serious or critical violation;
- nothing scrolls sideways (``scrollWidth <= innerWidth``);
- nothing is blocked by our Content-Security-Policy (a ``securitypolicyviolation`` event);
- nothing is written to the console as an error, and no script throws;
- at 360 px, every visible input, checkbox, radio, select, button and link inside a table or a
  form is at least 44 × 44 px to tap (a checkbox or radio counts the label wrapping it).

Findings are gathered over a role's whole walk and reported together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.e2e.conftest import DESKTOP, PHONE, sign_in

#: The walk's order: the widest scope first, so later roles add only their own routes.
ROLES = ["city_admin", "district_admin", "institution_manager", "examiner", "trainee"]
#: Routes the walk does not open: they sign out, download files rather than show a page, or
#: answer a script (JSON, images).
SKIPPED_ENDPOINTS = re.compile(
    r"^(static|accounts\.logout|api\.|.*export.*|.*download.*|.*\.pdf|.*archive.*|.*badge.*"
    r"|.*photo_file.*|.*_file$|.*media.*|.*slips_pdf.*|.*results_export.*|healthz|.*\.qr.*)"
)
SKIPPED_PATHS = re.compile(r"\.(csv|xlsx|pdf|zip|json|jwt|png|jpe?g|svg|xml|txt)$|full=1")
#: At most this many addresses per role (a safety net: the walk keeps one per route).
MAX_PAGES = 150
IMPACTS = {"serious", "critical"}
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
#: The smallest tap target on a phone, in CSS pixels (WCAG 2.5.5, Apple and Android guidance).
TAP = 44
#: Every tap target of tables and forms smaller than TAP × TAP: "selector w×h" for each.
SMALL_TARGETS = """(tap) => {
  const found = [];
  const wanted = "input:not([type=hidden]), select, textarea, button, a[href]";
  for (const el of document.querySelectorAll(wanted)) {
    if (!el.closest("table, form")) { continue; }
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) { continue; }  // not shown (a closed <details>)
    if (getComputedStyle(el).visibility === "hidden") { continue; }
    if (el.type === "checkbox" || el.type === "radio") {
      const label = el.closest("label");
      if (label) {
        const around = label.getBoundingClientRect();
        if (around.width * around.height > box.width * box.height) { box = around; }
      }
    }
    if (box.width + 0.5 < tap || box.height + 0.5 < tap) {
      let name = el.tagName.toLowerCase();
      if (el.type && name === "input") { name += "[type=" + el.type + "]"; }
      if (el.id) { name += "#" + el.id; }
      else if (el.className && typeof el.className === "string") {
        name += "." + el.className.trim().split(/\\s+/).join(".");
      }
      const text = (el.textContent || el.value || el.name || "").trim().slice(0, 20);
      found.push(name + (text ? " '" + text + "'" : "") + " "
        + Math.round(box.width) + "×" + Math.round(box.height));
    }
  }
  return found;
}"""
LISTEN = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__problems.push("CSP blocked " + e.effectiveDirective + " " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


@pytest.fixture(scope="module")
def routes(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> MapAdapter:
    """The application's URL map, to name the route of an address."""
    from lms import create_app
    from tests.conftest import test_config

    url = server_env["LMS_DATABASE_URL"]
    app = create_app(test_config(url, str(tmp_path_factory.mktemp("a11y-instance"))))
    return app.url_map.bind("lms.test")


def _endpoint(adapter: MapAdapter, path: str) -> str | None:
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return str(endpoint)


def _start_paths(adapter: MapAdapter) -> Iterator[str]:
    for rule in adapter.map.iter_rules():
        plain = "GET" in (rule.methods or ()) and not rule.arguments
        if (
            plain
            and not SKIPPED_ENDPOINTS.match(rule.endpoint)
            and not SKIPPED_PATHS.search(rule.rule)
        ):
            yield rule.rule


def _check(page: Any, width: str) -> list[str]:
    found = []
    results = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    for violation in results["violations"]:
        if violation.get("impact") in IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(
                f"{width}: axe {violation['id']} ({violation['impact']}, "
                f"{len(violation['nodes'])}×): {'; '.join(targets)}"
            )
    sideways = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if sideways[0] > sideways[1]:
        found.append(f"{width}: scrolls sideways ({sideways[0]} px in {sideways[1]} px)")
    found.extend(f"{width}: {problem}" for problem in page.evaluate("window.__problems || []"))
    if width == "360":
        small = page.evaluate(SMALL_TARGETS, TAP)
        if small:
            shown = "; ".join(small[:6]) + (f" … ({len(small)} in all)" if len(small) > 6 else "")
            found.append(f"{width}: tap targets under {TAP}×{TAP} px: {shown}")
    return found


def walk(
    browser: Any, base: str, username: str, routes: MapAdapter, checked: set[str]
) -> tuple[int, dict[str, list[str]]]:
    """Sign in as ``username`` and check every page reached whose route is not in ``checked``
    yet (the home page always: it is each role's own); (pages checked, findings)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=base)
    context.add_init_script(LISTEN)
    # Through the driver, as a browser extension would be: before the page's own scripts, and
    # not subject to the page's Content-Security-Policy (which the walk checks).
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(15000)
    console: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(f"{m.text} {m.location.get('url', '')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )  # fmt: skip  (Chromium asks for /favicon.ico whatever the page links)
    page.on("pageerror", lambda error: console.append(f"script error: {error}"))
    sign_in(page, username)

    queue = ["/", *sorted(_start_paths(routes))]
    seen: set[str] = set()
    report: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        endpoint = _endpoint(routes, path)
        if endpoint is None or endpoint in seen or SKIPPED_ENDPOINTS.match(endpoint):
            continue
        seen.add(endpoint)
        if endpoint in checked and endpoint != "accounts.home":
            continue
        page.set_viewport_size(DESKTOP)
        console.clear()
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        if response is None or response.status in (400, 403, 404, 405):
            continue  # not this role's page (its refusal is tested in test_access_matrix)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited += 1
        checked.add(endpoint)
        found = [f"HTTP {response.status}"] if response.status >= 500 else []
        found += _check(page, "1280")
        page.set_viewport_size(PHONE)
        found += _check(page, "360")
        found += [f"console: {line}" for line in console]
        if found:
            report[f"{path} ({endpoint})"] = found
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != urlsplit(base).netloc:
                continue
            if SKIPPED_PATHS.search(parts.path) or "full=1" in parts.query:
                continue
            linked = _endpoint(routes, parts.path)
            if linked and linked not in seen:
                queue.append(parts.path)
    context.close()
    return visited, report


def test_every_page_of_each_role_is_accessible_and_fits(
    browser: Any, live_server: str, demo_users: dict[str, str], routes: MapAdapter
) -> None:
    # A route is checked once, by the first role that reaches it (the same template and styles
    # for every role; scope changes only the rows), and each role's home: the run stays short.
    checked: set[str] = set()
    problems: list[str] = []
    for role in ROLES:
        visited, report = walk(browser, live_server, demo_users[role], routes, checked)
        assert visited >= 1, f"{role} did not reach its home page"
        problems += [f"{role} {where}\n  " + "\n  ".join(found) for where, found in report.items()]
    assert len(checked) >= 40, sorted(checked)
    assert not problems, f"{len(problems)} pages of {len(checked)} routes:\n" + "\n".join(problems)
