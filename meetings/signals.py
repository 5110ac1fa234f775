"""Events other apps listen to (materials sends a starter pack on ``meeting_started``).

``meeting_started`` is sent after the transaction commits, exactly once per
meeting, when it first becomes active. Keyword arguments: ``meeting_id: int``,
``facilitator_person_ids: list[int]`` (the facilitators leading it that day).
Exactly once is backed by a conditional update of ``Meeting.first_active_on``
(``meetings.services.meeting_activate``), not by hope.
"""

import django.dispatch

meeting_started = django.dispatch.Signal()
