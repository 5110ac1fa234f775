"""Conferencing hosts that meeting-finder apps recognise.

A Meeting Guide client (Code for Recovery's TSML UI, the Meeting Guide app)
treats a ``conference_url`` on a host it does not know as no online meeting at
all; with no exact address either, it shows the meeting as inactive (TSML UI
warns "unknown conference_url"). The list is the client's own
``conference_providers`` setting (tsml-ui ``src/helpers/settings.ts``), which
matches a link when its host name ends with one of these domains.
"""

from __future__ import annotations

from urllib.parse import urlsplit

RECOGNISED_HOSTS: dict[str, str] = {
    "bluejeans.com": "Bluejeans",
    "discord.gg": "Discord",
    "freeconference.com": "Free Conference",
    "freeconferencecall.com": "FreeConferenceCall",
    "goto.com": "GoTo",
    "gotomeet.me": "GoTo",
    "gotomeeting.com": "GoTo",
    "horizon.meta.com": "Virtual Reality",
    "maps.secondlife.com": "Virtual Reality",
    "meet.google.com": "Google Meet",
    "meet.jit.si": "Jitsi",
    "meetings.dialpad.com": "Dialpad",
    "signal.group": "Signal",
    "skype.com": "Skype",
    "slurl.com": "Virtual Reality",
    "teams.live.com": "Teams",
    "teams.microsoft.com": "Teams",
    "vrchat.com": "Virtual Reality",
    "webex.com": "WebEx",
    "zoho.com": "Zoho",
    "zoom.us": "Zoom",
}


def conference_provider(url: str) -> str | None:
    """The provider a finder app names for this joining link, or None when it
    does not recognise the host (then it will not list the meeting as online)."""
    host = (urlsplit(url or "").hostname or "").lower().rstrip(".")
    if not host:
        return None
    for domain, name in RECOGNISED_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return None


def unrecognised_host_warning(url: str, *, has_phone: bool) -> str:
    """What to tell someone entering a joining link on a host finder apps do not
    know ("" when the host is known, or no link was given)."""
    if not url or conference_provider(url) is not None:
        return ""
    host = urlsplit(url).hostname or url
    advice = (
        "The phone number you gave keeps it listed as online there."
        if has_phone
        else "Add a joining phone number too, so that they still list it as online."
    )
    return (
        f"Meeting apps (Meeting Guide, TSML UI) do not recognise {host} as a conferencing "
        f"host, so they will not show this meeting as online. {advice} Recognised hosts "
        "include Zoom, Google Meet, Microsoft Teams, WebEx, Jitsi and GoTo."
    )
