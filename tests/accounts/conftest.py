import pytest


@pytest.fixture(autouse=True)
def _fresh_axes_state(settings):
    # Lockouts are counted in the database (rolled back per test); keep the limit explicit.
    settings.AXES_FAILURE_LIMIT = 3
