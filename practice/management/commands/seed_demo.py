"""Create the demo practice: one user per role and about twenty clients.

Idempotent: running it again adds nothing that is already there. The demo
password comes from DEMO_PASSWORD (scripts/bootstrap generates one).
"""

import random
from importlib import import_module

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practice.demo import DEMO_STAFF, seed_staff
from practice.models import PracticeSettings

# Each feature app adds its demo records through a seed(users, clients, rng).
APP_SEEDERS = [
    "notes.demo",
    "notes.psychotherapy.demo",
    "contacts.demo",
    "billing.demo",
    # After the seeders that sign notes: its open item-9 alert would hold them.
    "notes.measures.demo",
    "clients.security_demo",
    "clients.retention_demo",
    "practice.day_demo",  # last: fills today's gaps on a later run
]


class Command(BaseCommand):
    help = "Create a small demo practice (users for every role, ~20 clients)."

    def handle(self, *args, **options):
        import os

        password = os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Set DEMO_PASSWORD (scripts/bootstrap writes one to var/local.env).")
        from clients import demo as clients_demo

        rng = random.Random(20261122)  # noqa: S311 (demo data, the same every time)
        with transaction.atomic():
            PracticeSettings.load()
            users = seed_staff(password)
            clients = clients_demo.seed(users, rng)
            for module_name in APP_SEEDERS:
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise
                    continue
                module.seed(users, clients, rng)
        self.stdout.write(self.style.SUCCESS(f"Demo practice ready: {len(clients)} clients."))
        self.stdout.write("Sign in as any of these (same password for all):")
        for username, first, last, role, *_ in DEMO_STAFF:
            self.stdout.write(f"  {username:<12} {first} {last} ({role.label})")
        self.stdout.write(f"Password: {password}")
        from django.conf import settings

        exempt = set(settings.MFA_EXEMPT_USERNAMES)
        if exempt:
            self.stdout.write(
                "Two-factor sign-in is skipped for: " + ", ".join(sorted(exempt)) + " (demo only)."
            )
        else:
            self.stdout.write("Each user sets up an authenticator app at first sign-in.")
