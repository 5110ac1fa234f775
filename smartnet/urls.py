"""The URL map. Each domain app owns its modules: ``urls`` for public pages,
``urls_staff`` under /staff/<app>/, ``urls_portal`` under /portal/."""

from django.contrib import admin
from django.urls import include, path

import board.views

urlpatterns = [
    path("", include("smartnet.urls_core")),
    path("admin/", admin.site.urls),
    # Invitations to sign in (partners owns them: they follow affiliations).
    path("accounts/invitation/", include("partners.urls_accounts")),
    # The staff dashboard: the board's figures (issue 7), above the staff includes.
    path("staff/", board.views.dashboard, name="staff_dashboard"),
    # Partners: staff screens and the partner/commissioner portal home.
    path("staff/partners/", include("partners.urls_staff")),
    path("portal/", include("partners.urls_portal")),
    # Meetings: the public finder and feeds, staff screens, the portal's meetings.
    path("meetings/", include("meetings.urls")),
    path("staff/meetings/", include("meetings.urls_staff")),
    path("portal/meetings/", include("meetings.urls_portal")),
    # Training: public certificate checks, staff screens, the portal's staff training.
    path("training/", include("training.urls")),
    path("staff/training/", include("training.urls_staff")),
    path("portal/training/", include("training.urls_portal")),
    # Materials: the facilitator request form and the staff dispatch queue.
    path("materials/", include("materials.urls")),
    path("staff/materials/", include("materials.urls_staff")),
    # Facilitators: their home page (what needs doing) and their meetings' records.
    path("facilitator/meetings/", include("meetings.urls_facilitator")),
    path("facilitator/", include("materials.urls_facilitator")),
    # Board: trustees' reports, staff objectives.
    path("board/", include("board.urls")),
    path("staff/board/", include("board.urls_staff")),
    # Outreach: staff communications, the public unsubscribe link.
    path("outreach/", include("outreach.urls")),
    path("staff/outreach/", include("outreach.urls_staff")),
    # Public reports of a change or problem with a meeting, and the staff queue.
    path("feedback/", include("feedback.urls")),
    path("staff/feedback/", include("feedback.urls_staff")),
]

handler403 = "smartnet.errors.forbidden"
handler404 = "smartnet.errors.not_found"
handler500 = "smartnet.errors.server_error"
