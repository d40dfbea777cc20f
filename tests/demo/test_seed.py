import subprocess

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core import idnumber
from lms.core.crypto import cipher
from lms.core.roles import Role
from lms.db import db
from lms.demo.seed import DemoOptions, seed_demo
from lms.org.models import District, Institution, InstitutionType, Post, Staff
from lms.org.services import ID_PURPOSE


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_world_models_the_city_and_is_idempotent(app):
    options = DemoOptions(trainees=300, institutions=40)
    first = seed_demo(options)
    snapshot = (count(District), count(Institution), count(Staff), count(User))
    seed_demo(options)
    assert (count(District), count(Institution), count(Staff), count(User)) == snapshot
    assert count(District) == 12
    assert count(Institution) == 40
    assert count(Staff, Staff.post == Post.CAREGIVER) == 300
    kinds = set(db.session.scalars(select(Institution.type)))
    assert kinds == set(InstitutionType)
    assert {account.role for account in first} == set(Role)


def test_demo_people_have_valid_local_id_numbers(app):
    seed_demo(DemoOptions(trainees=100, institutions=20))
    field_cipher = cipher()
    people = db.session.scalars(select(Staff)).all()
    local = 0
    for person in people:
        parsed = idnumber.parse(field_cipher.decrypt(person.id_number_encrypted, ID_PURPOSE))
        assert parsed.gender == person.gender.value
        local += parsed.region_code.startswith("1404")
    assert local / len(people) > 0.85


def test_the_same_options_build_the_same_world(app):
    seed_demo(DemoOptions(trainees=50, institutions=15))
    names = sorted(db.session.scalars(select(Staff.name)))
    hashes = sorted(db.session.scalars(select(Staff.id_number_hash)))
    from lms.models import metadata

    for table in reversed(metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()
    db.session.expunge_all()  # the bulk deletes bypassed the identity map
    seed_demo(DemoOptions(trainees=50, institutions=15))
    assert sorted(db.session.scalars(select(Staff.name))) == names
    assert sorted(db.session.scalars(select(Staff.id_number_hash))) == hashes


def test_demo_training_year_respects_quotas_and_gives_every_stage(app):
    from lms.learning import study
    from lms.learning.models import Cohort, DistrictQuota, Enrolment, EnrolmentStatus, TrainingPlan

    seed_demo(DemoOptions(trainees=300, institutions=40))
    plan = db.session.scalar(select(TrainingPlan))
    quotas = db.session.scalars(select(DistrictQuota)).all()
    assert sum(q.quota for q in quotas) == plan.total_quota == 1700
    for quota in quotas:
        holding = db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.quota_id == quota.id)
        )
        assert quota.used == holding <= quota.quota
    for cohort in db.session.scalars(select(Cohort)):
        holding = db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status.in_([EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED]),
            )
        )
        assert cohort.enrolled == holding <= cohort.capacity
    statuses = set(db.session.scalars(select(Enrolment.status)))
    assert {
        EnrolmentStatus.NOMINATED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.COMPLETED,
    } <= statuses
    completed = db.session.scalars(
        select(Enrolment).where(Enrolment.status == EnrolmentStatus.COMPLETED)
    ).all()
    for enrolment in completed[:20]:
        progress = study.course_progress(enrolment)
        assert progress.lessons_done == progress.lessons_total
        assert progress.hours_reached
        assert study.is_exam_eligible(enrolment.staff_id, enrolment.cohort.course.level)
    trainee = db.session.scalar(select(User).where(User.role == Role.TRAINEE))
    assert db.session.scalar(
        select(Enrolment.status).where(Enrolment.staff_id == trainee.staff_id)
    ) in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


def test_demo_skill_session_has_marks_arbitrations_and_agreement_figures(app):
    from lms.grading import analysis
    from lms.grading.models import SkillSession, TaskStatus
    from lms.grading.queries import marking_queue

    seed_demo(DemoOptions(trainees=300, institutions=30))
    session = db.session.scalar(select(SkillSession))
    assert session is not None and len(session.panels) == 3
    tasks = [task for candidate in session.candidates for task in candidate.tasks]
    assert sum(task.status == TaskStatus.FINAL for task in tasks) >= len(tasks) - 8
    task_rows, examiner_rows = analysis.agreement(session.id)
    assert task_rows and all(row.icc is None or -1 <= row.icc <= 1 for row in task_rows)
    assert {row.flag for row in examiner_rows} >= {"lenient", "harsh"}
    demo_examiner = db.session.scalar(select(User).where(User.username == "examiner"))
    assert marking_queue(demo_examiner)


def test_with_results_leaves_passed_candidates_ready_to_certify(app, tmp_path):
    from lms.certification import services as certification
    from lms.demo.results import seed_results

    seed_demo(DemoOptions(trainees=300, institutions=30))
    passed = seed_results(DemoOptions.seed)
    ready = certification.eligible()
    assert passed >= 5 and len(ready) == passed
    assert certification.waiting_for_photo() == []  # every demo candidate has a photo
    certificate = certification.issue(ready[0])
    assert certificate.holder_name == ready[0].staff.name
    pdf = tmp_path / "demo.pdf"
    pdf.write_bytes(certification.stored_pdf(certificate))
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    assert " jpeg " in listing.stdout, listing.stdout  # the demo photo is printed
    # Every field of 人社鉴发〔2021〕1号 on the demo candidate's certificate...
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    from lms.certification.render import chinese_date, verify_url
    from lms.core.levels import level_label
    from lms.org.services import decrypt_id_number

    for expected in (
        "职业技能等级证书",
        app.config["CERT_BODY_TEXT"],  # 证书正文
        "姓名", certificate.holder_name,
        "证件类型", "居民身份证",
        "证件号码", decrypt_id_number(certificate.staff),
        "职业名称", "保育师",
        "工种/职业方向", "--",
        "职业技能等级", str(level_label(certificate.level)),
        "证书编号", certificate.number,
        "评价机构名称", certificate.organisation,
        "发证日期", chinese_date(certificate.issued_on),
        "证书信息查询网址：" + app.config["CERT_LOOKUP_URL"],
        "机构信息查询网址：" + app.config["CERT_ORGANISATION_URL"],
    ):  # fmt: skip
        assert "".join(expected.split()) in text, expected
    # ...and its QR code read from a 100-dpi scan of the page.
    scan = tmp_path / "scan"
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(scan)], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{scan}.png"], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == verify_url(certificate, signed=True)
