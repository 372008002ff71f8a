"""CPT code suggestion from the kind of session and its length.

Psychotherapy time rules (CPT 2013+): 16-37 minutes 90832, 38-52 minutes
90834, 53 minutes or more 90837; under 16 minutes is not billable as
psychotherapy. Intake is 90791, family therapy 90846 (without the client) or
90847 (with), group 90853, crisis 90839 (first 30-74 minutes; shorter crisis
sessions fall back to the time rule).
"""

from __future__ import annotations

from clients.models import ServiceType

NOT_BILLABLE = ""

PSYCHOTHERAPY_CODES = ("90832", "90834", "90837")


def psychotherapy_code(minutes: int) -> str:
    """The individual psychotherapy code for a session length, or "" under 16 minutes."""
    if minutes >= 53:
        return "90837"
    if minutes >= 38:
        return "90834"
    if minutes >= 16:
        return "90832"
    return NOT_BILLABLE


def suggest_cpt(service_type: str, minutes: int) -> str:
    """The CPT code suggested for a session, or "" when it is not billable."""
    if minutes <= 0:
        return NOT_BILLABLE
    if service_type == ServiceType.INTAKE:
        return "90791"
    if service_type == ServiceType.FAMILY_WITHOUT_CLIENT:
        return "90846" if minutes >= 26 else NOT_BILLABLE
    if service_type == ServiceType.FAMILY_WITH_CLIENT:
        return "90847" if minutes >= 26 else NOT_BILLABLE
    if service_type == ServiceType.GROUP:
        return "90853"
    if service_type == ServiceType.CRISIS and minutes >= 30:
        return "90839"
    return psychotherapy_code(minutes)
