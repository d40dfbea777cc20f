"""Drafts that ``lms courses sync`` overtook: the sync changed the live content after the
draft began, so publishing the draft as it is would undo the sync's change unseen.

The sync says so (which item, whose draft) and records the synced text as the published
version; the draft keeps its text but is now based on an older version: the editor shows what
the sync changed (a save from a page that did not show it is refused with 409, as two experts'
saves are), and it cannot be published until its author has saved it with the change in view.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import User
from lms.authoring import kinds
from lms.authoring.diffs import diff_html
from lms.authoring.models import OPEN, ContentVersion, VersionStatus
from lms.core.errors import Conflict
from lms.db import db


def _published(kind: str, key: str) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind,
            ContentVersion.key == key,
            ContentVersion.status == VersionStatus.PUBLISHED,
        )
    )


class StaleDraft(Conflict):
    """``lms courses sync`` changed the live content since the draft began: saving it (or
    publishing it) would undo that change unseen. ``diff`` is what the sync changed."""

    def __init__(self, version: ContentVersion, live: ContentVersion) -> None:
        super().__init__(
            _l(
                "lms courses sync changed the live text on %(when)s, after this draft began, "
                "so the draft is based on an older version. Nothing was overwritten: look at "
                "what the sync changed below, merge it into the draft and save again.",
                when=live.published_at or "",
            )
        )
        self.version, self.live = version, live
        base = version.based_on or live
        self.diff = diff_html(
            kinds.get(version.kind),
            base.document,
            live.document,
            _l("Version %(n)d", n=base.number),
            _l("Version %(n)d", n=live.number),
        )


def stale_base(version: ContentVersion) -> ContentVersion | None:
    """The live version a sync published after the open draft ``version`` began, when the
    draft is not based on it (None when the draft is up to date)."""
    if not version.is_open or version.based_on_id is None:
        return None
    live = _published(version.kind, version.key)
    if live is None or live.id == version.based_on_id or live.published_at is None:
        return None
    return live if live.published_at >= version.created_at else None


def after_sync() -> list[str]:
    """Bring the published version of every item with an open draft in line with what the
    sync loaded, and say which drafts it overtook (one line each: the item, whose draft)."""
    from lms.authoring import services

    lines = []
    drafts = db.session.scalars(
        select(ContentVersion).where(ContentVersion.status.in_(OPEN)).order_by(ContentVersion.id)
    )
    for draft in list(drafts):
        kind = kinds.get(draft.kind)
        row = kind.find(draft.key)
        if row is None:
            continue  # a new item: nothing in courses/ to overtake it
        owner = db.session.get(User, draft.created_by_id) if draft.created_by_id else None
        who = owner.display_name if owner is not None else "?"
        if row.retired_at is not None:
            lines.append(
                str(
                    _l(
                        "%(kind)s %(key)s was removed from courses/: the open draft (version "
                        "%(n)d, %(who)s's) can no longer be published",
                        kind=kind.label,
                        key=draft.key,
                        n=draft.number,
                        who=who,
                    )
                )
            )
            continue
        services.baseline(row)
        if stale_base(draft) is not None:
            lines.append(
                str(
                    _l(
                        "%(kind)s %(key)s has an open draft (version %(n)d, %(who)s's): the "
                        "sync changed its live text; the draft is kept and must be merged "
                        "before it is published",
                        kind=kind.label,
                        key=draft.key,
                        n=draft.number,
                        who=who,
                    )
                )
            )
    return lines


def shown(version: ContentVersion) -> Any:
    """What the version's and editor's pages show when a sync overtook the draft (or None)."""
    live = stale_base(version)
    return StaleDraft(version, live) if live is not None else None


_KEY_LINE = re.compile(r"""^\s*(?:-\s*)?(?:id|code):\s*['"]?([a-z0-9][a-z0-9-]*)['"]?\s*$""", re.M)


def unexported() -> list[tuple[str, str]]:
    """(kind, key) of the live items first written in the browser that no file of courses/
    as last loaded holds: a sync from a folder without them must not retire them unseen."""
    from lms.content.sources import stored_files

    in_files = {
        key
        for row in stored_files()
        if row.path.endswith((".md", ".yaml"))
        for key in _KEY_LINE.findall(row.data.decode("utf-8", "replace"))
    }
    written = db.session.execute(
        select(ContentVersion.kind, ContentVersion.key).where(
            ContentVersion.number == 1,
            ContentVersion.created_by_id.is_not(None),
            ContentVersion.status.in_((VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)),
        )
    ).all()
    return [(kind, key) for kind, key in written if key not in in_files]


def keep_unexported(items: list[tuple[str, str]], report: Counter[str]) -> list[str]:
    """Bring back the items of ``unexported`` the sync retired (not counted as retired in its
    ``report`` then); one line about each."""
    lines = []
    for name, key in items:
        kind = kinds.get(name)
        row = kind.find(key)
        if row is None or row.retired_at is None:
            continue
        row.retired_at = None
        report[f"{name}.retired"] -= 1
        lines.append(
            str(
                _l(
                    "%(kind)s %(key)s was written in the browser and is not in courses/ yet: "
                    "kept (write it there with lms courses export)",
                    kind=kind.label,
                    key=key,
                )
            )
        )
    db.session.flush()
    return lines
