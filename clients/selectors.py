from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from clients.access import clients_visible_to
from clients.models import Client, ClientStatus


def client_search(user, query: str = "", include_discharged: bool = False) -> QuerySet[Client]:
    """Clients the user may see, matching a name, an MRN or a date of birth.

    A date is recognised as YYYY-MM-DD or MM/DD/YYYY; other text matches
    legal and preferred names and the MRN.
    """
    qs = clients_visible_to(user)
    if not include_discharged:
        qs = qs.filter(status=ClientStatus.ACTIVE)
    query = (query or "").strip()[:100]
    if not query:
        return qs
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return qs.filter(date_of_birth=datetime.strptime(query, fmt).date())
        except ValueError:
            pass
    terms = Q()
    for term in query.split():
        terms &= (
            Q(legal_first_name__icontains=term)
            | Q(legal_last_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(mrn__icontains=term)
        )
    return qs.filter(terms)


def caseload_for(user) -> QuerySet[Client]:
    """Active clients on the user's own care teams."""
    return (
        clients_visible_to(user)
        .filter(care_team__clinician=user, status=ClientStatus.ACTIVE)
        .distinct()
    )
