"""Events other apps listen to.

``person_merged`` is sent inside the merge's transaction, once the rows of
every app have moved to the keeper and the other record is gone
(``partners.services.person_merge``). Keyword arguments: ``keeper_id: int``,
``other_id: int``. Training recomputes the keeper's "Champion since" from the
completions it now holds.
"""

import django.dispatch

person_merged = django.dispatch.Signal()
