"""Break-the-glass emergency access to a chart.

One module per concern: ``services`` (grants: start, use, review, and the
``active_grant`` that ``clients.access.can`` consults), ``views`` (start and
review pages). The one loader of a grant for its reviewer is
``clients.access.get_grant_for_reviewer``.
"""
