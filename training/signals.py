"""Domain events other apps may listen to (materials sends a Facilitators Manual).

``facilitator_trained`` is sent after the transaction commits, once per person
ever, with ``person_id`` and ``completion_id``, when someone first becomes a
trained facilitator. Receivers must not assume they run inside a transaction.
"""

import django.dispatch

facilitator_trained = django.dispatch.Signal()
