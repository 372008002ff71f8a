"""Chart section for the author's own process notes (filled in with the store)."""


def process_notes_section(request, client):
    return None
