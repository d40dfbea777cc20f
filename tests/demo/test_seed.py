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
    for model in (User, Staff, Institution):
        for row in db.session.scalars(select(model)):
            db.session.delete(row)
    db.session.flush()
    seed_demo(DemoOptions(trainees=50, institutions=15))
    assert sorted(db.session.scalars(select(Staff.name))) == names
    assert sorted(db.session.scalars(select(Staff.id_number_hash))) == hashes
