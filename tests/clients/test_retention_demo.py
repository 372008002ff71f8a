import io

import pytest
from django.core.management import call_command

from clients.models import Client
from clients.retention import past_retention
from practice.models import User

pytestmark = pytest.mark.django_db


def test_the_admin_finds_one_record_past_retention_in_the_demo(monkeypatch, login):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Client.objects.filter(mrn="RB-R09001").count() == 1
    assert [c.mrn for c, _ in past_retention()] == ["RB-R09001"]
    response = login(User.objects.get(username="admin")).get("/clients/retention/")
    assert response.status_code == 200
    assert b"RB-R09001" in response.content
