"""Flask's JSON provider on orjson, for every JSON answer the service writes.

The standard library's encoder (with Flask's `default` and sorted keys) costs
about 10 us for /api/v1/me's small body and grows with every list and
verification report; orjson writes the same JSON several times faster.
Output stays Flask's: keys sorted, `default` (dates as HTTP dates, Decimals
as strings, dataclasses, `__html__`) for what orjson does not write itself,
compact unless debugging. Differences on purpose: non-ASCII characters are
written as UTF-8 rather than \\u escapes (the same JSON), and anything orjson
refuses (integers beyond 64 bits, custom `dumps` arguments, pretty printing)
goes through Flask's own encoder.
"""
from __future__ import annotations

import orjson
from flask.json.provider import DefaultJSONProvider

# Datetimes and dataclasses go through Flask's `default`, as they always did.
_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)


class OrjsonProvider(DefaultJSONProvider):
    def _encode(self, obj) -> bytes | None:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return None  # e.g. an integer beyond 64 bits: the standard encoder writes it

    def dumps(self, obj, **kwargs) -> str:
        if kwargs or not self.sort_keys:
            return super().dumps(obj, **kwargs)
        encoded = self._encode(obj)
        return super().dumps(obj) if encoded is None else encoded.decode()

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False or not self.sort_keys:
            return super().response(*args, **kwargs)
        encoded = self._encode(self._prepare_response_obj(args, kwargs))
        if encoded is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(encoded + b"\n", mimetype=self.mimetype)
