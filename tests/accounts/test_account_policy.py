"""Who may act on which account (lms/accounts/policy.py), as a table: every account action ×
every actor role × every target role and scope, through the real routes and as a rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lms.accounts import policy, queries, services
from lms.accounts.models import User
from lms.api.models import ApiToken
from lms.core.errors import NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow
from tests.factories import make_district, make_institution, make_staff, make_user

C, D, M, E, T, X = (
    Role.CITY_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.INSTITUTION_MANAGER,
    Role.EXAMINER,
    Role.TRAINEE,
    Role.COURSE_EXPERT,
)

#: Targets by role and scope, seen from the actors of ``World`` (whose district is "home" and
#: whose institution is "own", in "home"). "staff in district" means an examiner or
#: administrator whose staff record belongs to an institution of the actor's district.
TARGETS = [
    "self",
    "trainee, own institution",
    "trainee, other institution of the district",
    "trainee, other district",
    "manager, own institution",
    "manager, other institution of the district",
    "manager, other district",
    "examiner",
    "examiner, staff in district",
    "district admin, same district",
    "district admin, other district",
    "district admin of elsewhere, staff in district",
    "city admin",
    "city admin, staff in district",
    "course expert",
]

#: The rule, written out: whom each role may act on. Everyone else is refused.
ALLOWED: dict[Role, set[str]] = {
    C: set(TARGETS) - {"self"},
    D: {
        "trainee, own institution",
        "trainee, other institution of the district",
        "manager, own institution",
        "manager, other institution of the district",
    },
    M: {"trainee, own institution"},
    E: set(),
    T: set(),
    X: set(),
}

ACTIONS = list(policy.Action)


@dataclass
class World:
    actors: dict[Role, User]
    targets: dict[str, User]
    spare_institution_id: int
    home_district_id: int

    def target(self, actor: Role, label: str) -> User:
        return self.actors[actor] if label == "self" else self.targets[label]


def build_world() -> World:
    home, away = make_district("140403"), make_district("140404")
    own, neighbour, elsewhere = (
        make_institution(home),
        make_institution(home),
        make_institution(away),
    )
    spare = make_institution(home)
    actors = {
        C: make_user(C),
        D: make_user(D, district=home),
        M: make_user(M, institution=own),
        E: make_user(E),
        T: make_user(T, staff=make_staff(own)),
        X: make_user(X),
    }
    targets = {
        "trainee, own institution": make_user(T, staff=make_staff(own)),
        "trainee, other institution of the district": make_user(T, staff=make_staff(neighbour)),
        "trainee, other district": make_user(T, staff=make_staff(elsewhere)),
        "manager, own institution": make_user(M, institution=own),
        "manager, other institution of the district": make_user(M, institution=neighbour),
        "manager, other district": make_user(M, institution=elsewhere),
        "examiner": make_user(E),
        "examiner, staff in district": make_user(E, staff=make_staff(own)),
        "district admin, same district": make_user(D, district=home),
        "district admin, other district": make_user(D, district=away),
        "district admin of elsewhere, staff in district": make_user(
            D, district=away, staff=make_staff(neighbour)
        ),
        "city admin": make_user(C),
        "city admin, staff in district": make_user(C, staff=make_staff(own)),
        "course expert": make_user(X),
    }
    return World(actors, targets, spare.id, home.id)


def snapshot(user: User) -> tuple[Any, ...]:
    db.session.refresh(user)
    return (
        user.password_hash,
        user.is_active,
        user.locked_until,
        user.role,
        user.district_id,
        user.institution_id,
        user.session_epoch,
    )


def perform(client: Any, world: World, action: policy.Action, target: User) -> Any:
    """Try ``action`` on ``target`` through its route; returns (response, what proves it done)."""
    if action == policy.Action.VIEW:
        response = client.get(f"/users/{target.id}")
        return response, lambda: response.status_code == 200 and target.username in response.text
    if action == policy.Action.RESET_PASSWORD:
        before = target.password_hash
        response = client.post(f"/users/{target.id}/password-reset", data={"confirmed": "1"})
        return response, lambda: snapshot(target)[0] != before
    if action == policy.Action.UNLOCK:
        target.locked_until = utcnow() + timedelta(minutes=10)
        response = client.post(f"/users/{target.id}/unlock")
        return response, lambda: snapshot(target)[2] is None
    if action == policy.Action.SET_ACTIVE:
        response = client.post(f"/users/{target.id}/active", data={"active": "0", "confirmed": "1"})
        return response, lambda: snapshot(target)[1] is False
    if action == policy.Action.CHANGE_ROLE:
        response = client.post(
            f"/users/{target.id}",
            data={
                "role": "institution_manager",
                "district_id": 0,
                "institution_id": world.spare_institution_id,
            },
        )
        return response, lambda: snapshot(target)[5] == world.spare_institution_id
    assert action == policy.Action.TOKENS
    now = utcnow()
    token = ApiToken(
        name="平台",
        prefix="lms_x",
        token_hash=f"{target.id:064d}",
        district_id=world.home_district_id,
        created_by_id=target.id,
        created_at=now,
        expires_at=now + timedelta(days=30),
    )
    db.session.add(token)
    db.session.flush()
    listed = client.get("/api-tokens")
    response = client.post(f"/api-tokens/{token.id}/revoke", data={"confirmed": "1"})

    def done() -> bool:
        db.session.refresh(token)
        shown = listed.status_code == 200 and f"/api-tokens/{token.id}/revoke" in listed.text
        assert shown == (token.revoked_at is not None), "the list and the route disagree"
        return token.revoked_at is not None

    return response, done


@pytest.mark.parametrize("action", ACTIONS, ids=str)
@pytest.mark.parametrize("actor_role", list(Role), ids=str)
def test_every_account_action_through_the_routes(client, actor_role, action):
    world = build_world()
    actor = world.actors[actor_role]
    client.login_as(actor)
    for label in TARGETS:
        target = world.target(actor_role, label)
        allowed = label in ALLOWED[actor_role] and (
            action != policy.Action.CHANGE_ROLE or actor_role in (C, D)
        )
        if action == policy.Action.TOKENS:
            # Only administrators of the city and districts hold tokens; their own are theirs.
            allowed = actor_role in (C, D) and (allowed or label == "self")
        others = {
            other.id: snapshot(other)
            for other in [*world.targets.values(), *world.actors.values()]
            if other.id != target.id
        }
        before = snapshot(target)
        response, done = perform(client, world, action, target)
        where = f"{actor_role} → {label}: {action}"
        if allowed:
            assert response.status_code in (200, 302), where
            assert done(), where
        else:
            assert response.status_code in (403, 404), (where, response.status_code)
            assert not done(), where
            if action != policy.Action.UNLOCK:  # the test itself locked the target
                assert snapshot(target) == before, where
        assert {i: snapshot(db.session.get(User, i)) for i in others} == others, where


@pytest.mark.parametrize("actor_role", list(Role), ids=str)
def test_the_users_list_offers_exactly_the_accounts_the_rule_allows(client, actor_role):
    world = build_world()
    actor = world.actors[actor_role]
    client.login_as(actor)
    response = client.get("/users")
    if actor_role in (E, T, X):
        assert response.status_code == 403
        return
    listed = {
        label
        for label in TARGETS
        if f'href="/users/{world.target(actor_role, label).id}"' in response.text
    }
    assert listed == ALLOWED[actor_role]


@pytest.mark.parametrize("actor_role", list(Role), ids=str)
def test_creating_a_trainee_account_for_staff_follows_the_rule(client, actor_role):
    home, away = make_district("140403"), make_district("140404")
    own = make_institution(home)
    actor = {
        C: lambda: make_user(C),
        D: lambda: make_user(D, district=home),
        M: lambda: make_user(M, institution=own),
        E: lambda: make_user(E),
        T: lambda: make_user(T, staff=make_staff(own)),
        X: lambda: make_user(X),
    }[actor_role]()
    people = {
        "own institution": make_staff(own),
        "other institution of the district": make_staff(make_institution(home)),
        "other district": make_staff(make_institution(away)),
    }
    allowed = {
        C: set(people),
        D: {"own institution", "other institution of the district"},
        M: {"own institution"},
        E: set(),
        T: set(),
        X: set(),
    }[actor_role]
    client.login_as(actor)
    for label, staff in people.items():
        response = client.post(f"/staff/{staff.id}/account")
        account = db.session.scalar(select(User).where(User.staff_id == staff.id))
        if label in allowed:
            assert response.status_code == 200 and account is not None, label
        else:
            assert response.status_code in (403, 404), label
            assert account is None, label


# The rule itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_role", list(Role), ids=str)
def test_the_rule_as_a_table_and_the_list_query_agree_with_it(app, actor_role):
    world = build_world()
    actor = world.actors[actor_role]
    listed = set(db.session.scalars(select(User.id).where(policy.actable_clause(actor))))
    assert listed == set(db.session.scalars(queries.users(actor).with_only_columns(User.id)))
    for label in TARGETS:
        target = world.target(actor_role, label)
        for action in ACTIONS:
            expected = label in ALLOWED[actor_role] and (
                action != policy.Action.CHANGE_ROLE or actor_role in policy.ROLE_GRANTORS
            )
            assert policy.may_act_on(actor, target, action) is expected, (label, action)
        assert (target.id in listed) is (label in ALLOWED[actor_role]), label


def test_a_deactivated_administrator_acts_on_nobody(app):
    world = build_world()
    city = world.actors[C]
    city.is_active = False
    assert not any(
        policy.may_act_on(city, target, action)
        for target in world.targets.values()
        for action in ACTIONS
    )
    assert db.session.scalars(select(User.id).where(policy.actable_clause(city))).all() == []


def test_services_refuse_what_the_rule_refuses(app):
    world = build_world()
    district_admin = world.actors[D]
    peer = world.targets["district admin, same district"]
    examiner = world.targets["examiner, staff in district"]
    before = snapshot(peer), snapshot(examiner)
    for target in (peer, examiner):
        with pytest.raises(NotAllowed):
            services.reset_password(target, actor=district_admin)
        with pytest.raises(NotAllowed):
            services.set_active(target, False, actor=district_admin)
        with pytest.raises(NotAllowed):
            services.unlock(target, actor=district_admin)
        with pytest.raises(NotAllowed):
            services.change_role(
                target, role=Role.EXAMINER, district=None, institution=None, actor=district_admin
            )
    assert (snapshot(peer), snapshot(examiner)) == before


def test_a_staff_record_links_to_its_account_only_for_those_who_may_act_on_it(client):
    world = build_world()
    examiner = world.targets["examiner, staff in district"]
    trainee = world.targets["trainee, own institution"]
    for actor_role, links_examiner in ((D, False), (C, True)):
        client.login_as(world.actors[actor_role])
        page = client.get(f"/staff/{examiner.staff_id}").text
        assert (f'href="/users/{examiner.id}"' in page) is links_examiner, actor_role
        assert examiner.username in page  # the account is named, not offered
        assert f'href="/users/{trainee.id}"' in client.get(f"/staff/{trainee.staff_id}").text
