import pytest


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit():`` runs the block's after-commit callbacks (queued tasks) at its end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
