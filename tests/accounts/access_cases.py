from tests.access import EVERYONE, Case

CASES = {
    # Password reset: open to everyone (Django's views and URL names).
    "password_reset": Case("/accounts/password_reset/", allow=EVERYONE),
    "password_reset_done": Case("/accounts/password_reset/done/", allow=EVERYONE),
    # A made-up link: the page that says the link no longer works.
    "password_reset_confirm": Case("/accounts/reset/MQ/abc-def/", allow=EVERYONE),
    "password_reset_complete": Case("/accounts/reset/done/", allow=EVERYONE),
}

# Invitations: the request form and a made-up link (the "no longer works" page).
CASES["invitation_request"] = Case("/accounts/invitation/", allow=EVERYONE)
CASES["invitation_accept"] = Case("/accounts/invitation/not-a-token/", allow=EVERYONE, ok=404)
