"""Receivers for the training and meetings signals (connected in MaterialsConfig.ready).

They only queue a task: the dispatch is created by a worker, once, whatever
the number of times the signal is sent (unique constraints in the service).
"""

from smartnet.queue import enqueue


def on_facilitator_trained(sender=None, *, person_id: int, **kwargs) -> None:

    enqueue("materials.tasks.create_manual_dispatch", int(person_id))


def on_meeting_started(
    sender=None, *, meeting_id: int, facilitator_person_ids=(), **kwargs
) -> None:

    enqueue(
        "materials.tasks.create_starter_pack",
        int(meeting_id),
        [int(p) for p in facilitator_person_ids],
    )


def on_facilitators_named(
    sender=None, *, meeting_id: int, facilitator_person_ids=(), new_peer_person_ids=(), **kwargs
) -> None:

    enqueue(
        "materials.tasks.starter_packs_for_facilitators",
        int(meeting_id),
        [int(p) for p in facilitator_person_ids],
        [int(p) for p in new_peer_person_ids],
    )
