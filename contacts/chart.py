"""Chart section contributed by the contacts app (filled in with contact notes)."""


def contact_log_section(request, client):
    return None
