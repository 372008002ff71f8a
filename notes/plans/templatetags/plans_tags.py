from django import template

from clients.selectors import caseload_for
from notes.plans.selectors import overdue_reviews

register = template.Library()

LIMIT = 10


@register.inclusion_tag("plans/_reviews_due_cards.html", takes_context=True)
def plans_reviews_due(context):
    """The signed-in clinician's caseload clients whose treatment plan is past its review date."""
    rows = list(overdue_reviews(caseload_for(context["request"].user))[: LIMIT + 1])
    return {"overdue": rows[:LIMIT], "more": len(rows) > LIMIT}
