"""``lms roster``: staff roster import from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.core import audit
from lms.db import db, transaction
from lms.org import roster


@click.group("roster", help="Staff roster import.")
def roster_group() -> None:
    pass


@roster_group.command("import", help="Import a CSV (UTF-8/GBK) or XLSX roster, all or nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_roster(file: Path, dry_run: bool) -> None:
    content = file.read_bytes()
    try:
        plan = roster.plan_import(file.name, content, scope=None)
    except roster.RosterFileError as error:
        click.echo(f"{file.name}: {error.message}", err=True)
        sys.exit(1)
    if plan.errors:
        for row_error in plan.errors:
            click.echo(str(row_error), err=True)
        click.echo(
            f"{file.name}: {len(plan.errors)} 个错误，未导入任何数据 "
            f"({len(plan.errors)} errors; nothing was imported)",
            err=True,
        )
        sys.exit(1)
    summary = (
        f"新增 {plan.count('new')} 人，更新 {plan.count('update')} 人，"
        f"未变化 {plan.count('unchanged')} 人"
    )
    if dry_run:
        click.echo(f"{file.name}: 检查通过（试运行，未写入）：{summary}")
        return
    with transaction():
        result = roster.apply_plan(plan)
        audit.record(
            "roster.imported",
            filename=file.name,
            via="cli",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    click.echo(f"{file.name}: 导入完成：{summary}")
    db.session.remove()


@roster_group.command("template", help="Write an empty roster with the required header.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def write_template(file: Path) -> None:
    content = roster.template_xlsx() if file.suffix.lower() == ".xlsx" else roster.template_csv()
    file.write_bytes(content)
    click.echo(f"wrote {file}")
