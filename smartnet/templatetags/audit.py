"""``{% audit_trail obj %}``: who changed what and when, from django-simple-history.

Any model with ``history = HistoricalRecords()`` can show its trail on a staff
page; each row names the user, the time, the kind of change and the fields
that changed with their old and new values.
"""

from django import template

register = template.Library()

_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


@register.inclusion_tag("includes/audit_trail.html")
def audit_trail(obj, limit: int = 50):
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
                "who": newer.history_user or "system",
                "kind": _KIND.get(newer.history_type, newer.history_type),
                "changes": changes,
                "reason": newer.history_change_reason or "",
            }
        )
    return {"rows": rows[:limit], "available": True, "dom_id": dom_id}
