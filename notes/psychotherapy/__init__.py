"""Psychotherapy (process) notes: a separate store with its own encryption and
its own permissions. Nothing outside this package reads its tables."""
