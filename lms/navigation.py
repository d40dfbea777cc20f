"""The sections of the site each role sees, grouped, and where the current page sits in them.

The phone's menu lists them in one column; from 1024 px the side navigation shows them grouped
without a click (templates/base.html), and pages below a section carry a breadcrumb trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from lms.core.roles import ADMIN_ROLES, AUTHOR_ROLES, Role

ORG_USERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.INSTITUTION_MANAGER)
EXAM_ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)

#: (group, [(endpoint, label, roles)]) in the order shown.
SECTIONS: list[tuple[Any, list[tuple[str, Any, tuple[Role, ...]]]]] = [
    (
        _l("Overview"),
        [
            ("accounts.home", _l("Home"), tuple(Role)),
            ("reports.index", _l("Licensed-to-work rate"), ADMIN_ROLES),
        ],
    ),
    (
        _l("Study"),
        [
            ("learn.my_learning", _l("My courses"), (Role.TRAINEE,)),
            ("take.index", _l("My exams"), (Role.TRAINEE,)),
            ("skills.my_results", _l("My skill results"), (Role.TRAINEE,)),
            ("certificates.my_certificates", _l("My certificates"), (Role.TRAINEE,)),
        ],
    ),
    (
        _l("Course content"),
        [
            ("author.index", _l("Drafts and lessons"), AUTHOR_ROLES),
            ("author.questions", _l("Exam questions"), AUTHOR_ROLES),
            ("author.tasks", _l("Practical tasks"), AUTHOR_ROLES),
        ],
    ),
    (
        _l("Training"),
        [
            ("training.overview", _l("Training"), (*ORG_USERS, Role.EXAMINER)),
            ("training.nominations", _l("Nominations"), EXAM_ADMINS),
            ("training.progress", _l("Progress"), ADMIN_ROLES),
        ],
    ),
    (
        _l("Exams and marking"),
        [
            ("exam_sessions.index", _l("Exam sessions"), EXAM_ADMINS),
            ("skills.index", _l("Skill assessments"), (Role.CITY_ADMIN,)),
            ("skills.marking", _l("Marking"), (Role.EXAMINER,)),
            ("exams.marking_queue", _l("Short answers to mark"), (Role.EXAMINER,)),
            ("exams.bank_list", _l("Question bank"), (Role.CITY_ADMIN, Role.EXAMINER)),
        ],
    ),
    (
        _l("Certificates"),
        [
            ("certificates.index", _l("Certificates"), (Role.CITY_ADMIN,)),
            ("external.index", _l("Certificates from elsewhere"), ADMIN_ROLES),
        ],
    ),
    (
        _l("Institutions and staff"),
        [
            ("org.institutions", _l("Institutions"), ORG_USERS),
            ("org.staff_list", _l("Staff"), ORG_USERS),
            ("org.roster_upload", _l("Roster import"), ORG_USERS),
            ("accounts.users", _l("Accounts"), ORG_USERS),
        ],
    ),
    (
        _l("System"),
        [
            ("api_tokens.index", _l("API tokens"), EXAM_ADMINS),
            ("core.audit_log", _l("Audit log"), (Role.CITY_ADMIN,)),
        ],
    ),
]


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: Any
    url: str


def sections_for(role: Role | None) -> list[tuple[Any, list[Link]]]:
    """The groups of sections ``role`` may open, each with its links (empty groups left out)."""
    found = []
    for group, entries in SECTIONS:
        links = [
            Link(endpoint, label, url_for(endpoint))
            for endpoint, label, roles in entries
            if role in roles
        ]
        if links:
            found.append((group, links))
    return found


def current_section(sections: list[tuple[Any, list[Link]]]) -> Link | None:
    """The section the current page belongs to: the link whose address is the longest start of
    the page's path (``/org/staff/12`` belongs to ``/org/staff``); the home only for ``/``."""
    path = request.path
    best: Link | None = None
    for _group, links in sections:
        for link in links:
            base = link.url.rstrip("/")
            if link.url == "/":
                matches = path == "/"
            else:
                matches = path == base or path.startswith(base + "/") or path == link.url
            if matches and (best is None or len(link.url) > len(best.url)):
                best = link
    return best
