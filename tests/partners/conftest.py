import pytest


@pytest.fixture(autouse=True)
def _scheme_defaults(request):
    """Transactional tests flush the data migration's rows; put them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from partners.defaults import ensure_defaults

        request.getfixturevalue("transactional_db")
        ensure_defaults()
