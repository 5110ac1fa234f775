from tests.access import EVERYONE, Case

CASES = {
    "meetings:finder": Case("/meetings/", allow=EVERYONE),
}
