from tests.access import EVERYONE, Case

CASES = {
    # Password reset: open to everyone (Django's views and URL names).
    "password_reset": Case("/accounts/password_reset/", allow=EVERYONE),
    "password_reset_done": Case("/accounts/password_reset/done/", allow=EVERYONE),
    # A made-up link: the page that says the link no longer works.
    "password_reset_confirm": Case("/accounts/reset/MQ/abc-def/", allow=EVERYONE),
    "password_reset_complete": Case("/accounts/reset/done/", allow=EVERYONE),
}
