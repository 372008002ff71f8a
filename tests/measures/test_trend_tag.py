"""``{% measure_trends client %}``: the trends for any page that shows a client
(the treatment-plan page), access-checked and audited in the tag itself."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from notes.plans.models import TreatmentPlan
from practice.models import AuditAction, AuditEvent
from tests.measures.conftest import phq9

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load measures_tags %}{% measure_trends client %}")


def _render(user, client) -> str:
    request = RequestFactory().get("/plans/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "client": client}))


def test_the_care_team_sees_the_trends_and_the_read_is_audited(give, client_record, alice):
    for days, total in ((28, 14), (0, 9)):
        give("phq9", phq9(total), days_ago=days)
    html = _render(alice, client_record)
    assert 'id="plan-trend-phq9"' in html and ": 14, 9. Latest 9 of 27 (Mild)." in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.object_type == "measures.measureresult" and event.detail["trends"] is True


@pytest.mark.parametrize("who", ["fran", "bill", "ada", "bob"])
def test_roles_without_clinical_access_get_nothing(give, client_record, people, who):
    give("phq9", phq9(9))
    assert "PHQ-9" not in _render(people[who], client_record)


def test_the_treatment_plan_page_shows_the_trends(give, client_record, alice, login):
    for days, total in ((56, 18), (28, 12), (0, 7)):
        give("phq9", phq9(total), days_ago=days)
    plan = TreatmentPlan.objects.filter(client=client_record).latest("version")
    page = login(alice).get(f"/plans/{plan.uuid}/").content.decode()
    assert 'id="plan-trend-phq9"' in page and ": 18, 12, 7. Latest 7 of 27 (Mild)." in page
