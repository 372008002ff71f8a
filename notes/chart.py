"""Chart section contributed by the notes app (filled in with the notes features)."""


def progress_notes_section(request, client):
    return None
