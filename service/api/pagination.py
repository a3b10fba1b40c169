"""Every list endpoint is paginated: `?page=` and `?page_size=` (default 100,
at most 1000), with the totals in the `X-Pagination` header (flask-smorest).

Lists built in SQL use `@blp.paginate()` and slice in the query; the others
return their whole (stably ordered) list and `listing(blp)` slices it, so a
client never receives an unbounded response.
"""
from __future__ import annotations

from flask_smorest import Page

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def listing(blp):
    """Decorator (below `@blp.response`): paginate the list the view returns."""
    return blp.paginate(Page, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
