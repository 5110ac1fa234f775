"""The core's part of the demo data: one staff login per staff role and a trustee.

Each domain app has a ``demo.py`` with ``seed(ctx)``; ``seed_demo`` calls them in
INSTALLED_APPS order (partners, training, meetings, materials, board), so an
app can use what the apps before it made.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from smartnet.models import User
from smartnet.roles import Role

DEMO_PASSWORD = "smartnet-demo-2026"


@dataclass
class DemoContext:
    scale: int
    today: date
    rng: random.Random
    log: Callable[[str], None]
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    # Apps may leave things here for the apps after them (e.g. ids made).
    shared: dict = field(default_factory=dict)

    def count(self, at_scale_one: int) -> int:
        """A count that grows with --scale (at least 1)."""
        return max(1, at_scale_one * self.scale)

    def add_login(self, role: str, email: str, how: str = DEMO_PASSWORD) -> None:
        self.logins.append((role, email, how))


def make_user(ctx: DemoContext, *, email: str, full_name: str, role: str) -> User:
    user = User(email=email, full_name=full_name, role=role)
    user.set_password(DEMO_PASSWORD)
    user.save()
    ctx.add_login(Role(role).label, email)
    return user


def seed(ctx: DemoContext) -> None:
    make_user(ctx, email="admin@smartnet.example", full_name="Alex Admin", role=Role.STAFF_ADMIN)
    user = User.objects.get(email="admin@smartnet.example")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    make_user(ctx, email="finance@smartnet.example", full_name="Fran Finance", role=Role.FINANCE)
    make_user(ctx, email="training@smartnet.example", full_name="Toni Trainer", role=Role.TRAINING)
    make_user(
        ctx, email="materials@smartnet.example", full_name="Mo Materials", role=Role.MATERIALS
    )
    make_user(ctx, email="trustee@smartnet.example", full_name="Terry Trustee", role=Role.TRUSTEE)
