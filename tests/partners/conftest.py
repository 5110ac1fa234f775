import pytest

from partners.defaults import ensure_defaults


@pytest.fixture(autouse=True)
def _scheme_defaults(request):
    """Transactional tests flush the data migration's rows; put them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_defaults()
