"""Amendment requests (HIPAA right to amend, 45 CFR 164.526): who may do
what, the writes, and the chart section.

- Logging a request and attaching the client's statement of disagreement: the
  front desk and practice admins (they change demographics practice-wide) and
  clinicians on the care team.
- Deciding (accepting with the amendment text, or denying with the reason):
  clinicians on the care team only.
- Reading: anyone who reads the client's clinical record (care team,
  auditors, emergency access) and those who log requests. Billers do not.

Decisions are conditional updates (two clicks decide once), signed with the
decider's name and a content hash, and frozen (``save()`` and, on PostgreSQL,
a trigger). Nothing here is ever deleted.

One module per concern: ``access`` (who may do what, the one loader),
``services`` (the writes), ``chart`` (the chart section), ``views``.
"""
