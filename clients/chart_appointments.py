"""Chart section for appointments (filled in with the schedule)."""


def appointments_section(request, client):
    return None
