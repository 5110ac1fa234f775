"""The header search's meetings (a ``smartnet.search`` provider). One query."""

from django.db.models import Q
from django.urls import reverse

from meetings.models import Meeting
from smartnet.search import Hit


def find_meetings(user, query: str, limit: int) -> list[Hit]:
    """By name, or exactly by its web address name (slug)."""
    meetings = (
        Meeting.objects.filter(Q(name__icontains=query) | Q(slug__iexact=query))
        .select_related("site")
        .order_by("name", "pk")[:limit]
    )
    return [
        Hit(
            label=meeting.name,
            url=reverse("meetings_staff:detail", args=[meeting.pk]),
            detail=(
                f"{meeting.get_weekday_display()} {meeting.start_time:%H:%M}"
                f"{', ' + meeting.town if meeting.town else ''} · {meeting.get_status_display()}"
            ),
            exact=meeting.slug.lower() == query.lower(),
        )
        for meeting in meetings
    ]
