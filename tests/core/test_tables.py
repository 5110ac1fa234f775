"""Every table of every page sits in the one table include: a focusable,
labelled scroll region, so a wide table never makes the page scroll sideways."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Printed documents (WeasyPrint) and e-mails have no screen to scroll.
PRINTED = re.compile(r"(pdf|/email/)")


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if not PRINTED.search(str(path.relative_to(TEMPLATES))):
            yield path


def test_every_table_in_a_page_template_is_in_a_table_region():
    unwrapped = []
    for path in _page_templates():
        text = path.read_text()
        # Take out each wrapped table; any table left is not in a region.
        rest = re.sub(r"{% table_region [^%]+%}.*?{% endtable_region %}", "", text, flags=re.S)
        if "<table" in rest:
            unwrapped.append(str(path.relative_to(TEMPLATES)))
    assert not unwrapped, f"tables outside {{% table_region %}}: {unwrapped}"


def test_the_region_is_focusable_labelled_and_scrolls():
    html = Template(
        '{% load tables %}{% table_region "Invoices of "|add:name %}'
        "<table></table>{% endtable_region %}"
    ).render(Context({"name": "Alpha <b>"}))
    assert html.startswith(
        '<div class="table-responsive table-region" tabindex="0" role="region" '
        'aria-label="Invoices of Alpha &lt;b&gt;"><table></table></div>'
    )


def test_the_region_needs_its_label():
    with pytest.raises(TemplateSyntaxError, match="label"):
        Template("{% load tables %}{% table_region %}<table></table>{% endtable_region %}")
