"""Who may open each materials URL (see tests/access.py)."""

from materials.models import Status
from tests.access import EVERYONE, FACILITATORS, Case
from tests.materials.factories import make_dispatch, make_item

MATERIALS_STAFF = frozenset({"staff_admin", "materials"})
ECONOMICS = MATERIALS_STAFF | {"finance"}
# Posting a parcel needs the recipient's name and address: the materials pages
# name a recipient as a recipient (never as a peer, never with their training
# or their meeting's leadership), so materials staff see it there.
RECIPIENT_VIEWERS = MATERIALS_STAFF


def _dispatch(world) -> int:
    item = make_item("poster", stock=5)
    return make_dispatch({item: 1}, status=Status.SUBMITTED).pk


def _item(world) -> int:
    return make_item("leaflet", stock=5).pk


CASES = {
    # The request form is public: anyone not signed in as a facilitator gets the link form.
    "materials:request": Case("/materials/request/", allow=EVERYONE),
    "materials:sign_in": Case("/materials/request/sign-in/?sesame=x", allow=EVERYONE),
    "materials:ask": Case("/materials/request/ask/", allow=EVERYONE),
    # A facilitator's home page: their own meetings only (none for another).
    "facilitator:home": Case("/facilitator/", allow=FACILITATORS),
    "materials_staff:queue": Case(
        "/staff/materials/", allow=MATERIALS_STAFF, peer_names=RECIPIENT_VIEWERS
    ),
    "materials_staff:dispatch": Case(
        lambda w: f"/staff/materials/dispatches/{_dispatch(w)}/",
        allow=MATERIALS_STAFF,
        peer_names=RECIPIENT_VIEWERS,
    ),
    # POST only, one URL per step; an allowed visitor is sent back to the
    # dispatch with a message (a step from the wrong status says why).
    **{
        f"materials_staff:dispatch_{step}": Case(
            lambda w, step=step: f"/staff/materials/dispatches/{_dispatch(w)}/{step}/",
            allow=MATERIALS_STAFF,
            ok=302,
            method="post",
            data={"tracking_reference": "RM1", "reason": "No such meeting."},
        )
        for step in ("verify", "approve", "pack", "send", "deliver", "reject")
    },
    "materials_staff:packing_slips": Case(
        lambda w: f"/staff/materials/packing-slips.pdf?ids={_dispatch(w)}",
        allow=MATERIALS_STAFF,
        peer_names=RECIPIENT_VIEWERS,
    ),
    "materials_staff:labels": Case(
        lambda w: f"/staff/materials/labels.pdf?ids={_dispatch(w)}",
        allow=MATERIALS_STAFF,
        peer_names=RECIPIENT_VIEWERS,
    ),
    "materials_staff:stock": Case("/staff/materials/stock/", allow=MATERIALS_STAFF),
    "materials_staff:item": Case(
        lambda w: f"/staff/materials/stock/{_item(w)}/", allow=MATERIALS_STAFF
    ),
    "materials_staff:economics": Case("/staff/materials/economics/", allow=ECONOMICS),
}
