"""Benchmark the Moodle import and the Champion register.

    .venv/bin/python -m bench.training [--people 30000] [--rows 100000] [--json FILE]

Against the database in DATABASE_URL (PostgreSQL for real numbers), inside a
transaction rolled back at the end, so it leaves nothing behind:
1. bulk-inserts ``--people`` professionals with staff affiliations at 40
   partners (site-licence agreements from the partners test helper);
2. imports a ``--rows``-row Moodle report-builder export (long layout: intro,
   Champion and tools courses, some refreshers) through the same service as
   the staff page and the task, timing it and its peak memory (the process's
   peak resident set above what it held when the import started, ``VmHWM``
   reset first; not tracemalloc, which traces every allocation and made the
   import's Python several times slower than the import itself) - target under
   60 s with memory bounded by the batch size;
3. imports the same file again (must add nothing);
4. requests the Champion register (first and last page, and filtered) through
   the view, counting queries: the count must not depend on the page or size.
Prints a markdown table; exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--new-learners",
        type=int,
        default=20_000,
        help="rows (of --rows) for learners not in the directory, on the open course",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-training-")
    settings.ALLOWED_HOSTS = ["*"]
    results: dict = {
        "database": connection.vendor,
        "people": args.people,
        "rows": args.rows,
        "new_learners": args.new_learners,
    }
    from bench.__main__ import _load

    results["load_before"] = _load()
    try:
        with transaction.atomic():
            _run(args, results)
            raise Rollback
    except Rollback:
        pass
    results["load_after"] = _load()
    _report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    ok = (
        results["import_s"] < 60
        and results["reimport_created"] == 0
        and results["reimport_new_people"] == 0
        and results["import_new_people"] == args.new_learners
        and results["register_queries_fixed"]
    )
    return 0 if ok else 1


def _people(n: int, rng: random.Random) -> list[tuple[int, str]]:
    from partners.models import Affiliation, AffiliationRole, Person
    from tests.partners.factories import make_partner

    orgs = [
        make_partner(
            signed_on=datetime.date(2011, 1, 1),
            start=datetime.date(2011, 1, 1),
            end=datetime.date(2030, 12, 31),
        ).organisation
        for _ in range(40)
    ]
    people = [
        Person(first_name=f"Bench{i}", last_name="Person", email=f"bench{i}@bench.example")
        for i in range(n)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    rows = list(Person.objects.filter(email__endswith="@bench.example").values_list("pk", "email"))
    Affiliation.objects.bulk_create(
        [
            Affiliation(
                person_id=pk,
                organisation=rng.choice(orgs),
                role=AffiliationRole.STAFF,
                start_date=datetime.date(2010, 6, 1),
                is_primary=True,
            )
            for pk, _ in rows
        ],
        batch_size=2000,
    )
    return rows


def _courses():
    from training.models import AccessRule, Audience, Award, Course, Delivery, MoodleCourse

    for code, shortname, access, awards in [
        ("intro", "SRUK-INTRO", AccessRule.OPEN, Award.NONE),
        ("champion", "SRUK-CHAMP", AccessRule.PARTNER_STAFF, Award.CHAMPION),
        ("tools", "SRUK-TOOLS", AccessRule.PARTNER_STAFF, Award.NONE),
    ]:
        course, _ = Course.objects.get_or_create(
            code=code,
            defaults={
                "title": code.title(),
                "delivery": Delivery.ONLINE,
                "audience": Audience.PROFESSIONALS,
                "access_rule": access,
                "awards": awards,
                "validity_months": 36 if awards else None,
            },
        )
        MoodleCourse.objects.get_or_create(shortname=shortname, defaults={"course": course})


def _export(
    people: list[tuple[int, str]], rows: int, rng: random.Random, new_learners: int = 0
) -> bytes:
    buffer = io.StringIO()
    buffer.write(
        "Full name,Email address,Username,ID number,Course short name,"
        "Course completion: Time completed,Grade\n"
    )
    start = datetime.datetime(2011, 2, 1, 9, tzinfo=datetime.UTC)
    shortnames = ["SRUK-INTRO", "SRUK-CHAMP", "SRUK-TOOLS"]
    # New learners are spread through the file (every k-th row); one in 50 has the
    # name of someone in the directory (another e-mail): a possible match.
    every = rows // new_learners if new_learners else 0
    made = 0
    for i in range(rows):
        if every and i % every == every - 1 and made < new_learners:
            when = start + datetime.timedelta(days=rng.randrange(0, 1400))
            name = f"Bench{made} Person" if made % 50 == 0 else f"New{made} Learner"
            buffer.write(
                f"{name},new{made}@learners.example,n{made},,SRUK-INTRO,{int(when.timestamp())},\n"
            )
            made += 1
            continue
        _, email = people[i % len(people)]
        # Same person: a different course each pass, then refreshers years apart.
        round_ = i // len(people)
        shortname = shortnames[round_ % 3]
        when = start + datetime.timedelta(days=rng.randrange(0, 1400) + 400 * (round_ // 3))
        buffer.write(
            f"Bench Person,{email},u{i},,{shortname},{int(when.timestamp())},"
            f"{rng.randrange(50, 101)}.00 %\n"
        )
    return buffer.getvalue().encode()


def _timed_import(data: bytes) -> tuple[float, float, object]:
    """The import's seconds and its peak resident memory in MB above what the
    process held when it started."""
    from bench.__main__ import _peak_rss_mb, _rss_mb
    from training import services

    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets this process's VmHWM to its current RSS
    before = _rss_mb()
    started = time.perf_counter()
    job = services.import_prepare(name="bench.csv", data=data)
    job = services.import_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    return seconds, _peak_rss_mb() - before, job


def _run(args, results: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from smartnet.models import User
    from smartnet.roles import Role

    rng = random.Random(5)
    started = time.perf_counter()
    people = _people(args.people, rng)
    _courses()
    if connection.vendor == "postgresql":
        # The rows above are uncommitted, so autovacuum cannot have seen them: give
        # the planner the statistics a live database would have. Not the training
        # tables: analysed empty, the planner would trust "empty" as they fill.
        with connection.cursor() as cursor:
            for table in ("partners_person", "partners_affiliation", "partners_organisation"):
                cursor.execute(f"ANALYZE {table}")
    results["setup_s"] = round(time.perf_counter() - started, 1)
    data = _export(people, args.rows, rng, args.new_learners)
    results["file_mb"] = round(len(data) / 1_048_576, 1)

    print(f"importing {args.rows} rows ({results['file_mb']} MB)...", flush=True)
    seconds, peak, job = _timed_import(data)
    results["import_s"] = round(seconds, 1)
    results["import_peak_mb"] = round(peak, 1)
    results["import_created"] = job.created_count
    results["import_already"] = job.already_count
    results["import_rejected"] = job.rejected_count
    results["import_new_people"] = job.new_people_count
    results["import_possible_matches"] = job.matches.count()
    print("importing the same file again...", flush=True)
    seconds, peak, job = _timed_import(data)
    results["reimport_s"] = round(seconds, 1)
    results["reimport_created"] = job.created_count
    results["reimport_new_people"] = job.new_people_count

    from django.test.utils import setup_test_environment

    setup_test_environment()  # so responses carry their template context
    user = User.objects.create(email="bench-training@bench.example", role=Role.TRAINING)
    client = Client()
    client.force_login(user)
    first = client.get("/staff/training/champions/")  # warm up
    last_page = first.context["page_obj"].paginator.num_pages
    counts = {}
    timings = {}
    for label, url in [
        ("first page", "/staff/training/champions/"),
        ("middle page", f"/staff/training/champions/?page={max(1, last_page // 2)}"),
        ("last page", f"/staff/training/champions/?page={last_page}"),
        ("filtered by date", "/staff/training/champions/?start=2012-01-01&end=2013-12-31"),
    ]:
        samples = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            counts[label] = len(ctx.captured_queries)
        timings[label] = round(statistics.median(samples), 1)
    results["champions"] = response.context["page_obj"].paginator.count
    results["register_queries"] = counts
    results["register_ms"] = timings
    results["register_queries_fixed"] = len(set(counts.values())) == 1


def _report(r: dict) -> None:
    print()
    print(
        f"Training benchmark on {r['database']}: {r['people']} people, {r['rows']} rows, "
        f"{r.get('new_learners')} of them learners new to the directory"
    )
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| setup (people, affiliations, 40 partners) | {r.get('setup_s')} s |")
    print(f"| export size | {r.get('file_mb')} MB |")
    print(f"| import {r['rows']} rows | {r.get('import_s')} s (target < 60 s) |")
    print(f"| import peak memory (RSS above its start) | {r.get('import_peak_mb')} MB |")
    print(
        f"| added / already / rejected | {r.get('import_created')} / "
        f"{r.get('import_already')} / {r.get('import_rejected')} |"
    )
    print(
        f"| learners new to the directory / possible matches | {r.get('import_new_people')} / "
        f"{r.get('import_possible_matches')} |"
    )
    print(
        f"| same file again | {r.get('reimport_s')} s, {r.get('reimport_created')} added, "
        f"{r.get('reimport_new_people')} new people |"
    )
    print(f"| Champions in the register | {r.get('champions')} |")
    for label, count in (r.get("register_queries") or {}).items():
        print(f"| register {label} | {r['register_ms'][label]} ms, {count} queries |")
    print()
    print(
        f"Load average (1, 5, 15 min) before: {r.get('load_before')}, after: {r.get('load_after')}."
    )


if __name__ == "__main__":
    sys.exit(main())
