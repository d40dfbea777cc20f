"""Run in a process of its own by tests/org/test_upload_bombs.py, which reads the process's
own peak resident set size (VmHWM of /proc/self/status, printed on stderr as the process
exits: the figure belongs to this process alone, unlike ru_maxrss, which Linux carries over
from the parent that forked it).

    python -m tests.org.upload_probe upload FILE   # as the upload page does (store_upload),
                                                    # prints what the check found as JSON and
                                                    # writes nothing (rolled back)
    python -m tests.org.upload_probe lms ARGS…      # the ``lms`` command
"""

from __future__ import annotations

import atexit
import json
import sys
from pathlib import Path


def _report_peak() -> None:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(f"\nPEAK_KB {line.split()[1]}", file=sys.stderr)


def upload(path: Path) -> None:
    from lms import create_app
    from lms.core.roles import Role
    from lms.db import db
    from lms.org.roster_uploads import store_upload
    from tests.factories import make_user

    app = create_app()
    # A cheap password hash for the throw-away account: Argon2's 64 MiB is not the upload's.
    app.config.update(PASSWORD_HASH_TIME_COST=1, PASSWORD_HASH_MEMORY_KIB=1024)
    with app.app_context(), app.test_request_context():
        try:
            user = make_user(Role.CITY_ADMIN)
            with path.open("rb") as stream:
                stored = store_upload(user, path.name, stream)
            result = {
                "file_error": stored.file_error,
                "rows": stored.row_count,
                "errors": stored.error_count,
            }
            print(json.dumps(result, ensure_ascii=False))
        finally:
            db.session.rollback()


if __name__ == "__main__":
    atexit.register(_report_peak)
    if sys.argv[1] == "upload":
        upload(Path(sys.argv[2]))
    else:
        from lms.cli import main

        sys.argv = sys.argv[1:]
        main()
