"""Peer status on a page: ``{% may_see_peers as show_peers %}`` asks the one rule
(``smartnet.access.may_see_peers``) for the signed-in user, and
``{% people_count people "facilitator" %}`` prints what the other roles see
instead of names ("2 facilitators").

Every template that puts a person beside a meeting's leadership, a proposal, a
peer role or a training course or event uses these two, so the rule has one
owner and the walk in ``tests/trust/test_peer_names.py`` checks every page.
"""

from django import template

from smartnet.access import may_see_peers as _may_see_peers

register = template.Library()


@register.simple_tag(takes_context=True)
def may_see_peers(context) -> bool:
    request = context.get("request")
    return request is not None and _may_see_peers(request.user)


@register.simple_tag
def people_count(people, noun: str) -> str:
    """'1 facilitator', '3 facilitators': a count, never a name."""
    n = people if isinstance(people, int) else len(list(people))
    return f"{n} {noun}{'' if n == 1 else 's'}"
