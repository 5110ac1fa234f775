"""``{% audit_trail obj %}``: who changed what and when, from django-simple-history.

Any model with ``history = HistoricalRecords()`` can show its trail on a staff
page; each row names the user, the time, the kind of change and the fields
that changed with their old and new values.

A change made by a facilitator's own sign-in names that facilitator beside
the meeting: roles that may not see peers (``smartnet.access.may_see_peers``)
read "a facilitator" instead.
"""

from django import template

from smartnet.access import may_see_peers
from smartnet.roles import Role

register = template.Library()

_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _who(user, show_peers: bool) -> str:
    if user is None:
        return "system"
    if user.role == Role.FACILITATOR and not show_peers:
        return "a facilitator"
    return str(user)


@register.inclusion_tag("includes/audit_trail.html", takes_context=True)
def audit_trail(context, obj, limit: int = 50):
    request = context.get("request")
    show_peers = request is not None and may_see_peers(request.user)
    history = getattr(obj, "history", None)
    # One trail per object: the heading id must be unique on a page with several.
    dom_id = f"audit-{obj._meta.label_lower.replace('.', '-')}-{obj.pk}"
    if history is None:
        return {"rows": [], "available": False, "dom_id": dom_id}
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        rows.append(
            {
                "when": newer.history_date,
                "who": _who(newer.history_user, show_peers),
                "kind": _KIND.get(newer.history_type, newer.history_type),
                "changes": changes,
                "reason": newer.history_change_reason or "",
            }
        )
    return {"rows": rows[:limit], "available": True, "dom_id": dom_id}
