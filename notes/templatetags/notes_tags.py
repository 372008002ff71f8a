from django import template

from notes.selectors import dashboard_for

register = template.Library()


@register.inclusion_tag("notes/_dashboard_cards.html", takes_context=True)
def notes_dashboard(context):
    """Stale drafts and co-signatures due, for the signed-in clinician or supervisor."""
    request = context["request"]
    return {"dash": dashboard_for(request.user), "request": request}
