import pytest

from tests.grading.factories import load_practical_tasks


@pytest.fixture(autouse=True)
def _practical_tasks(request: pytest.FixtureRequest) -> None:
    """Skill sessions draw from the practical tasks in the database, as `lms courses sync`
    leaves them (inside each test's transaction)."""
    if "app" in request.fixturenames and "committed" not in request.fixturenames:
        load_practical_tasks()
