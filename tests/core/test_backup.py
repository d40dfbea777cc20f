"""`lms backup` and `lms restore` as an operator uses them: a round trip gives back every table
exactly, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from lms.db import db
from lms.models import metadata
from lms.org.models import Staff
from tests.factories import make_institution, make_staff, make_user
from tests.reports.factories import certify, record_external


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with db.engine.connect() as connection:  # type: ignore[union-attr]
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in connection.execute(table.select())), key=str
            )
            for table in metadata.sorted_tables
        }


def test_a_backup_restores_every_table_exactly(app, committed, tmp_path: Path) -> None:
    institution = make_institution(name="备份测试托育点")
    staff = make_staff(institution, name="备份甲")
    staff_id = staff.id
    certify(staff)
    record_external(make_staff(institution, name="备份乙"))
    make_user()
    db.session.commit()
    before = _snapshot()
    assert sum(len(rows) for rows in before.values()) > 10
    runner = app.test_cli_runner()
    target = tmp_path / "lms.backup"

    made = runner.invoke(args=["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert target.stat().st_size > 0 and "Backup written" in made.output

    db.session.get(Staff, staff_id).name = "改过的名字"
    make_staff(institution, name="备份后新增")
    db.session.commit()
    assert _snapshot() != before

    db.session.remove()
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _snapshot() == before
    assert db.session.scalar(select(Staff.name).where(Staff.id == staff_id)) == "备份甲"
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_restoring_something_that_is_not_a_backup_changes_nothing(app, committed, tmp_path):
    make_staff(name="留下")
    db.session.commit()
    before = _snapshot()
    junk = tmp_path / "not-a-backup"
    junk.write_bytes(b"this is not a database")
    result = app.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and result.stderr.startswith("错误：")
    assert _snapshot() == before
