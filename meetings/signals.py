"""Events other apps listen to (materials sends a starter pack on ``meeting_started``).

``meeting_started`` is sent after the transaction commits, exactly once per
meeting, when it first becomes active. Keyword arguments: ``meeting_id: int``,
``facilitator_person_ids: list[int]`` (the facilitators leading it that day).
Exactly once is backed by a conditional update of ``Meeting.first_active_on``
(``meetings.services.meeting_activate``), not by hope.

``facilitators_named`` is sent (inside the transaction, like ``meeting_started``)
when a leadership period of a meeting that has opened names facilitators:
``meeting_id``, ``facilitator_person_ids`` (everyone named) and
``new_peer_person_ids`` (peer facilitators new to the meeting, taking over).
Materials sends a waiting starter pack to the first of them, and a starter pack
to each new peer (once per person per meeting, by a unique constraint).
"""

import django.dispatch

meeting_started = django.dispatch.Signal()
facilitators_named = django.dispatch.Signal()
