"""Skill assessment rules: draws, panels, conflicts, independent marking, combining,
arbitration, results, appeals, and the agreement statistics."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.grading import analysis, appeals, marking, panels, results, rules, sessions, tasks
from lms.grading.models import SkillSessionStatus, TaskStatus
from lms.org.services import id_number_hash
from tests.exams.factories import eligible_trainee
from tests.factories import make_institution, make_user, new_id_number
from tests.grading.factories import (
    id_number_of,
    make_examiner,
    make_skill_session,
    mark_all,
    sheet_with_total,
)

pytestmark = pytest.mark.usefixtures("app")


def test_each_candidate_gets_distinct_tasks_from_the_level_pool_weighted_to_100() -> None:
    session = make_skill_session(candidates=3, tasks_per_candidate=5, publish=False)
    pool = {task.code for task in tasks.task_pool(5)}
    for candidate in session.candidates:
        codes = [task.task_code for task in candidate.tasks]
        assert len(set(codes)) == 5 and set(codes) <= pool
        assert sum(task.weight for task in candidate.tasks) == 100
        assert all(task.rubric["criteria"] for task in candidate.tasks)


def test_the_draw_is_reproducible_for_the_same_session_and_person() -> None:
    session = make_skill_session(candidates=1, publish=False)
    candidate = session.candidates[0]
    first = [task.task_code for task in candidate.tasks]
    sessions.draw_tasks(candidate, session)
    assert [task.task_code for task in candidate.tasks] == first


def test_equal_weights_sum_to_100() -> None:
    assert rules.equal_weights(6) == [17, 17, 17, 17, 16, 16]
    assert sum(rules.equal_weights(4)) == 100


@pytest.mark.parametrize("size", [2, 4])
def test_a_panel_needs_an_odd_number_of_at_least_three(size: int) -> None:
    session = make_skill_session(panel_sizes=(size,), publish=False)
    problems = sessions.publication_problems(session)
    assert any(f"{size}" in problem and "第1考站" in problem for problem in problems)
    with pytest.raises(Conflict):
        sessions.publish(session, make_user(Role.CITY_ADMIN))
    assert session.status == SkillSessionStatus.DRAFT


def test_no_examiner_marks_more_than_five_candidates() -> None:
    session = make_skill_session(candidates=16, panel_sizes=(3,), publish=False)
    placed = [c for c in session.candidates if c.panel_id is not None]
    assert len(placed) == 15  # 3 examiners × 5
    assert any(
        "没有考评组" in p or "has no panel" in p for p in sessions.publication_problems(session)
    )
    with pytest.raises(Conflict):
        sessions.publish(session, make_user(Role.CITY_ADMIN))


def test_time_slots_follow_each_other_within_a_panel() -> None:
    session = make_skill_session(candidates=3, publish=False, slot_minutes=30)
    slots = sorted(c.slot_at for c in session.candidates)
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(slots)] == [1800, 1800]


def test_an_examiner_never_gets_a_candidate_of_their_own_institution() -> None:
    home = make_institution()
    admin = make_user(Role.CITY_ADMIN)
    session = sessions.create_session(
        sessions.SessionData(title="冲突测试", level=5, starts_at=utcnow()),
        admin,
    )
    near = [make_examiner(home), make_examiner(), make_examiner()]
    far = [make_examiner(), make_examiner(), make_examiner()]
    sessions.add_panel(session, "A站", near[0], near)
    sessions.add_panel(session, "B站", far[0], far)
    colleagues = [eligible_trainee(5, institution=home) for _ in range(4)]
    sessions.add_candidates(session, colleagues)
    assert sessions.assign(session) == []
    assert {c.panel.name for c in session.candidates} == {"B站"}
    sessions.publish(session, admin)
    examiner_tasks = [t for c in session.candidates for t in c.tasks]
    with pytest.raises(NotAllowed):
        marking.sheet_for(examiner_tasks[0], near[0])


def test_a_declared_relation_keeps_the_trainee_from_the_examiner() -> None:
    admin = make_user(Role.CITY_ADMIN)
    session = sessions.create_session(
        sessions.SessionData(title="关系申报", level=5, starts_at=utcnow()),
        admin,
    )
    examiners = [make_examiner() for _ in range(3)]
    sessions.add_panel(session, "唯一考站", examiners[0], examiners)
    cousin = eligible_trainee(5)
    panels.declare_relation(examiners[1], id_number_of(cousin), "表妹")
    sessions.add_candidates(session, [cousin, eligible_trainee(5)])
    unplaced = sessions.assign(session)
    assert len(unplaced) == 1
    candidate = next(c for c in session.candidates if c.staff_id == cousin.id)
    assert candidate.panel_id is None and candidate.admission_number in unplaced


def test_a_relation_declared_before_the_person_registers_still_keeps_them_apart() -> None:
    """The declaration is the ID number's keyed hash: it holds whoever registers with it later,
    and it keeps nothing that says whether anybody held it when it was made."""
    admin = make_user(Role.CITY_ADMIN)
    session = sessions.create_session(
        sessions.SessionData(title="关系申报", level=5, starts_at=utcnow()), admin
    )
    examiners = [make_examiner() for _ in range(3)]
    sessions.add_panel(session, "唯一考站", examiners[0], examiners)
    number = new_id_number()
    relation = panels.declare_relation(examiners[2], number.lower(), "")
    assert number not in relation.id_number_hash and relation.id_number_masked.endswith(number[-4:])
    assert panels.declare_relation(examiners[2], number, "") is relation
    later = eligible_trainee(5)
    later.id_number_hash = id_number_hash(number)
    sessions.add_candidates(session, [later])
    assert sessions.assign(session) == [session.candidates[0].admission_number]


def test_a_malformed_id_number_cannot_be_declared() -> None:
    with pytest.raises(DomainError):
        panels.declare_relation(make_examiner(), "140402199001011234", "")


def test_marks_stay_hidden_and_the_result_waits_until_every_member_submits() -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    first, second, third = task.panel.examiners
    for examiner in (first, second):
        marking.save_sheet(
            task, examiner, sheet_with_total(task, 80, marking.sheet_version(task, examiner))
        )
    assert not marking.all_submitted(task)
    assert task.status == TaskStatus.MARKING and task.final_score is None
    marking.save_sheet(task, third, sheet_with_total(task, 86, marking.sheet_version(task, third)))
    assert task.status == TaskStatus.FINAL and task.final_score == 82.0


def test_a_stale_tab_cannot_overwrite_the_sheet() -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    loaded = marking.sheet_version(task, examiner)  # two tabs open at this version
    marking.save_sheet(task, examiner, sheet_with_total(task, 70, loaded, submit=False))
    with pytest.raises(Conflict, match=r"另一个窗口|another window"):
        marking.save_sheet(task, examiner, sheet_with_total(task, 90, loaded, submit=False))
    assert (marking.sheet_for(task, examiner) or marking.blank_sheet(task, examiner)).total == 70


def test_points_outside_a_criterion_are_refused_and_every_criterion_is_needed_to_submit() -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    first = task.criteria[0]
    version = marking.sheet_version(task, examiner)
    too_many = marking.SheetInput({first["key"]: first["points"] + 1}, [], "", version)
    with pytest.raises(DomainError):
        marking.save_sheet(task, examiner, too_many)
    partial = marking.SheetInput({first["key"]: 1}, [], "", version, submit=True)
    with pytest.raises(DomainError):
        marking.save_sheet(task, examiner, partial)


def test_a_critical_error_fails_the_task() -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    version = marking.sheet_version(task, examiner)
    error = task.critical_errors[0]["key"]
    mark = marking.save_sheet(
        task, examiner, marking.SheetInput({}, [error], "双手离开婴儿", version, submit=True)
    )
    assert mark.total == 0


def test_marks_too_far_apart_wait_for_the_chief_examiners_reasoned_arbitration() -> None:
    session = make_skill_session(candidates=1, max_spread=10)
    task = session.candidates[0].tasks[0]
    chief, second, third = task.panel.examiners
    mark_all(task, {chief: 70, second: 72, third: 95})
    assert task.status == TaskStatus.ARBITRATION and task.final_score is None
    with pytest.raises(NotAllowed):
        marking.arbitrate(task, second, 75, "理由")
    with pytest.raises(DomainError):
        marking.arbitrate(task, chief, 75, "  ")
    marking.arbitrate(task, chief, 74, "第三位考评员漏看了未扶住婴儿的动作")
    assert task.status == TaskStatus.FINAL and task.final_score == 74
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"skills.mark_submitted", "skills.arbitration_needed", "skills.arbitrated"} <= actions


def test_median_rule_combines_differently_from_the_mean() -> None:
    session = make_skill_session(candidates=1, combine_rule="median", max_spread=30)
    task = session.candidates[0].tasks[0]
    a, b, c = task.panel.examiners
    mark_all(task, {a: 60, b: 70, c: 86})
    assert task.final_score == 70


def test_skills_score_is_the_weighted_sum_and_results_lock_marks() -> None:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {e: 50 if task.position == 1 else 70 for e in task.panel.examiners})
    expected = sum(t.weight * (50 if t.position == 1 else 70) for t in candidate.tasks) / 100
    assert candidate.skills_score == pytest.approx(expected)
    assert candidate.skills_passed is True
    sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    assert not marking.marking_open(candidate.tasks[0])


def test_results_cannot_be_published_while_a_task_has_no_final_mark() -> None:
    session = make_skill_session(candidates=1)
    with pytest.raises(Conflict):
        sessions.publish_results(session, make_user(Role.CITY_ADMIN))


def test_an_appeal_reopens_one_task_for_a_new_panel_and_keeps_the_history() -> None:
    session = make_skill_session(candidates=1, panel_sizes=(3, 3))
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {e: 58 for e in task.panel.examiners})
    sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    assert candidate.skills_passed is False
    appealed = candidate.tasks[0]
    other_panel = next(p for p in session.panels if p.id != appealed.panel_id)
    with pytest.raises(Conflict):
        appeals.open_appeal(appealed, appealed.panel, "复核", make_user(Role.CITY_ADMIN))
    again = appeals.open_appeal(
        appealed, other_panel, "考生认为计时有误", make_user(Role.CITY_ADMIN)
    )
    assert appealed.status == TaskStatus.SUPERSEDED and len(appealed.marks) == 3
    assert again.round == 2 and candidate.skills_score is None
    assert marking.marking_open(again)
    mark_all(again, {e: 100 for e in other_panel.examiners})
    assert again.final_score == 100
    assert candidate.skills_score == pytest.approx(
        (again.weight * 100 + (100 - again.weight) * 58) / 100
    )


def test_icc_is_high_when_examiners_agree_and_low_when_they_do_not() -> None:
    agreeing = [[50, 52, 51], [80, 79, 81], [65, 66, 64], [90, 91, 89]]
    random_like = [[50, 90, 70], [80, 55, 65], [60, 85, 75], [70, 60, 90]]
    assert analysis.icc1(agreeing) > 0.95
    assert analysis.icc1(random_like) < 0.2
    assert analysis.icc1([[70, 71]]) is None


def test_a_consistently_lenient_examiner_is_flagged() -> None:
    session = make_skill_session(candidates=2, max_spread=40)
    generous = session.panels[0].examiners[2]
    for candidate in session.candidates:
        for task in candidate.tasks:
            base = 60 + 5 * task.position
            mark_all(
                task, {e: (base + 12 if e is generous else base) for e in task.panel.examiners}
            )
    tasks, examiners = analysis.agreement(session.id)
    flagged = {row.examiner.id: row.flag for row in examiners}
    assert flagged[generous.id] == "lenient"
    assert all(flag is None for examiner_id, flag in flagged.items() if examiner_id != generous.id)
    assert tasks and all(row.marked >= 1 for row in tasks)


def test_level_passes_only_when_theory_and_skills_both_pass() -> None:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {e: 90 for e in task.panel.examiners})
    result = results.level_result(candidate)
    assert result["skills_passed"] is True
    assert result["theory_passed"] is None and result["passed"] is None


def test_a_relation_declared_after_assignment_stops_publication() -> None:
    session = make_skill_session(candidates=1, publish=False)
    candidate = session.candidates[0]
    panels.declare_relation(session.panels[0].examiners[1], id_number_of(candidate.staff), "邻居")
    problems = sessions.publication_problems(session)
    assert any(candidate.admission_number in p and "回避" in p for p in problems)
    with pytest.raises(Conflict):
        sessions.publish(session, make_user(Role.CITY_ADMIN))
