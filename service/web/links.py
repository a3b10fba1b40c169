"""URLs for many rows of a page: built once, each row's id put in its place.

`url_for` costs about 20 µs (werkzeug's builder, the request's URL adapter);
a page linking every row of a table paid it per row. `row_url` builds the URL
once for a placeholder UUID and returns a function that puts a row's UUID
where the placeholder was: the same URL `url_for` gives (a UUID's text needs
no quoting)."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import url_for

_PLACEHOLDER = uuid.UUID(int=0)


def row_url(endpoint: str, key: str, **values) -> Callable[[uuid.UUID], str]:
    """url_for(endpoint, **{key: id}, **values) for any uuid.UUID id (its canonical text), from one url_for."""
    before, after = url_for(endpoint, **{key: _PLACEHOLDER}, **values).split(str(_PLACEHOLDER))
    return lambda value: f"{before}{value}{after}"
