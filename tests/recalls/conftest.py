import pytest

from .factories import make_recall


@pytest.fixture
def recall_of(admin_user):
    """make_recall(producer, state=...) acting as the admin."""

    def build(producer, **kwargs):
        kwargs.setdefault("actor", admin_user)
        return make_recall(producer, **kwargs)

    return build
