"""The load test's users (run by ``bench.loadtest``; locust, not Django).

The paths and the session cookies come from the environment the runner sets
(``LOADTEST_PLAN``, JSON): the public mostly searches the finder and fetches
feeds and calendars; partner contacts open the portal; staff open their
screens. Every request carries ``X-Forwarded-Proto: https``, as the HTTPS
proxy in front of gunicorn would.
"""

import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(os.environ.get("LOADTEST_PLAN", "{}"))
PROXY = {"X-Forwarded-Proto": "https"}


class _User(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    role = ""

    def on_start(self):
        cookie = PLAN.get("cookies", {}).get(self.role)
        if cookie:
            self.client.cookies.set(PLAN["cookie_name"], cookie, domain="127.0.0.1")

    def fetch(self, path: str, name: str):
        """GET ``path``; anything but a 200 (a redirect to sign in, a 429, an
        error, a connection cut) counts as a failure."""
        with self.client.get(
            path, headers=PROXY, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                reason = response.error or f"answered {response.status_code}"
                response.failure(reason)


class Public(_User):
    weight = 6

    @task(5)
    def finder_search(self):
        self.fetch(random.choice(PLAN["finder"]), "finder search")

    @task(1)
    def meeting_page(self):
        self.fetch(random.choice(PLAN["meetings"]), "meeting page")

    @task(1)
    def national_feed(self):
        self.fetch("/meetings/feed.json", "feed.json")

    @task(2)
    def region_feed(self):
        self.fetch(random.choice(PLAN["regions"]), "region feed")

    @task(1)
    def calendar(self):
        self.fetch("/meetings/calendar.ics", "calendar.ics")


class Portal(_User):
    weight = 2
    role = "partner_contact"

    @task(3)
    def home(self):
        self.fetch("/portal/", "portal home")

    @task(1)
    def meetings(self):
        self.fetch("/portal/meetings/", "portal meetings")


class Staff(_User):
    weight = 2
    role = "staff_admin"

    @task(2)
    def dashboard(self):
        self.fetch("/staff/", "staff dashboard")

    @task(1)
    def partners(self):
        self.fetch("/staff/partners/", "partner list")

    @task(1)
    def champions(self):
        self.fetch("/staff/training/champions/", "Champion register")
