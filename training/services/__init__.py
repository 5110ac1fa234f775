"""Writes of training data, by concern; callers keep ``from training import services``.

- ``completions``: every completion goes through ``completions_record``
  (Champion status, refresher dates, facilitators announced);
- ``profiles``: training profiles and enrolments;
- ``events``: face-to-face events, bookings and attendance;
- ``imports``: the Moodle import pipeline (learners new to the directory too);
- ``matches``: new learners whose name matches someone, confirmed or merged by staff;


- ``events``: face-to-face events, staff bookings and attendance;
- ``bookings``: people booking themselves, the waiting list, the daily bookings job;
- ``refreshers``: refresher reminders;
- ``imports``: the Moodle import pipeline;
- ``personal_data``: a person's training data, exported or erased.

Who may take which course is ``training.eligibility``, the one owner of that
policy; these modules ask it.
"""

from training.services.bookings import (
    BookingResult,
    booking_cancel,
    booking_invite,
    booking_mail_send,
    booking_request,
    booking_state,
    bookings_daily_run,
    closed_reason,
)
from training.services.completions import (
    CompletionDraft,
    RecordResult,
    add_months,
    champion_since_refresh,
    champions_refresh,
    completion_record,
    completions_record,
)
from training.services.courses import course_map_set, course_save
from training.services.events import event_book, event_create, event_record_attendance
from training.services.imports import import_create, import_prepare, import_run
from training.services.matches import possible_match_decide, possible_matches_erase
from training.services.personal_data import personal_data_erase, personal_data_export
from training.services.profiles import enrolment_create, profile_for, profile_update
from training.services.refreshers import refresher_reminders_run, reminder_offsets

__all__ = [
    "BookingResult",
    "booking_cancel",
    "booking_invite",
    "booking_mail_send",
    "booking_request",
    "booking_state",
    "bookings_daily_run",
    "closed_reason",
    "CompletionDraft",
    "RecordResult",
    "add_months",
    "champion_since_refresh",
    "champions_refresh",
    "completion_record",
    "completions_record",
    "course_map_set",
    "course_save",
    "enrolment_create",
    "event_book",
    "event_create",
    "event_record_attendance",
    "import_create",
    "import_prepare",
    "import_run",
    "personal_data_erase",
    "possible_match_decide",
    "possible_matches_erase",
    "personal_data_export",
    "profile_for",
    "profile_update",
    "refresher_reminders_run",
    "reminder_offsets",
]
