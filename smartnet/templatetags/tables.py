"""``{% table_region "label" %}<table>...</table>{% endtable_region %}``: the one
wrapper for every table on a page.

It renders ``includes/table_wrap.html``: a scroll region that is focusable and
labelled, so a table wider than a phone scrolls inside it (by keyboard too)
while the page itself never scrolls sideways.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


class TableRegionNode(template.Node):
    def __init__(self, label: template.base.FilterExpression, nodelist: template.NodeList):
        self.label = label
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        # The table was rendered (and escaped) by the template it sits in.
        table = mark_safe(self.nodelist.render(context))
        return render_to_string(
            "includes/table_wrap.html", {"label": self.label.resolve(context), "table": table}
        )


@register.tag("table_region")
def table_region(parser: template.base.Parser, token: template.base.Token) -> TableRegionNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(
            "{% table_region %} takes one argument, the region's label, "
            'as in {% table_region "Invoices" %}'
        )
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(parser.compile_filter(bits[1]), nodelist)
