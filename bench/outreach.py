"""Benchmark a communication to 10,000 recipients.

    .venv/bin/python -m bench.outreach [--recipients 10000] [--batch 500]

Against the database in DATABASE_URL (PostgreSQL for real numbers), with the
locmem e-mail backend. Each e-mail's claim (``smartnet.mail.send_once``) is
committed on its own, so this cannot run inside a rolled-back transaction: it
commits its own rows (people marked ``@bench-outreach.example``) and deletes
them again at the end. It:

1. bulk-inserts ``--recipients`` main contacts of one commissioner;
2. queues the communication (the audience snapshot as recipient rows) and
   works the batches as the worker does (``outreach.services.send_batch``,
   the task's body), printing the progress the staff page shows after each;
3. runs the task again as a retry or a second worker would (every batch,
   twice more): nobody may get a second e-mail;
4. fails (exit 1) unless every recipient got exactly one e-mail and the
   whole send took under 2 minutes.
"""

from __future__ import annotations

import argparse
import sys
import time

import bench  # noqa: F401  (settings defaults)

DOMAIN = "bench-outreach.example"
TARGET_SECONDS = 120


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    from outreach import services
    from outreach.models import Recipient, RecipientStatus, Segment
    from partners.models import Affiliation, AffiliationRole, Organisation, OrganisationKind, Person

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTREACH_BATCH_SIZE = args.batch
    mail.outbox = []
    queued: list = []
    # The bench drives the batches itself, as a worker would, to print progress.
    services.enqueue = lambda name, *ids: queued.append((name, ids))

    org = Organisation.objects.create(
        name="Bench County Council",
        slug="bench-outreach-council",
        kind=OrganisationKind.COMMISSIONER,
    )
    communication = None
    try:
        people = Person.objects.bulk_create(
            [
                Person(first_name=f"Reader{n}", last_name="Bench", email=f"r{n}@{DOMAIN}")
                for n in range(args.recipients)
            ],
            batch_size=2000,
        )
        Affiliation.objects.bulk_create(
            [
                Affiliation(
                    person=p,
                    organisation=org,
                    role=AffiliationRole.MAIN_CONTACT,
                    start_date=org.created_at.date(),
                )
                for p in people
            ],
            batch_size=2000,
        )
        communication = services.communication_create(
            subject="Network news",
            body="Dear {first_name},\n\nThe network's news this spring.",
            segment=Segment.COMMISSIONERS,
        )
        started = time.perf_counter()
        total = services.communication_send(communication=communication)
        queue_seconds = time.perf_counter() - started
        batches = 0
        while True:
            result = services.send_batch(communication_id=communication.pk)
            batches += 1
            shown = services.progress(communication)
            if batches % 5 == 0 or not result["left"]:
                print(
                    f"  batch {batches}: {shown['sent']:,} of {shown['total']:,} sent "
                    f"({shown['percent']}%)"
                )
            if not result["left"]:
                break
        send_seconds = time.perf_counter() - started
        sent_once = len(mail.outbox)
        # The retry: the task run again for every batch, twice over.
        retry_started = time.perf_counter()
        for _ in range(2 * batches):
            services.send_batch(communication_id=communication.pk)
        retry_seconds = time.perf_counter() - retry_started
        addresses = [m.to[0] for m in mail.outbox]
        duplicates = len(addresses) - len(set(addresses))
        claims = Recipient.objects.filter(
            communication=communication, status=RecipientStatus.SENT
        ).count()
    finally:
        if communication is not None:
            communication.delete()
        Affiliation.objects.filter(organisation=org).delete()
        Person.objects.filter(email__endswith=f"@{DOMAIN}").delete()
        org.delete()

    ok = total == args.recipients == sent_once == len(addresses) and duplicates == 0
    ok = ok and claims == args.recipients and send_seconds < TARGET_SECONDS
    print(f"database: {connection.vendor}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| recipients queued | {total:,} (in {queue_seconds:.1f} s) |")
    print(f"| batches of {args.batch} | {batches} |")
    print(f"| queued and sent, total | {send_seconds:.1f} s (target {TARGET_SECONDS} s) |")
    print(f"| e-mails sent | {sent_once:,} |")
    print(
        f"| retry of every batch | {retry_seconds:.1f} s, "
        f"{len(addresses) - sent_once} more e-mails |"
    )
    print(f"| duplicates | {duplicates} |")
    print(f"| recipient rows stamped sent | {claims:,} |")
    print("result:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
