"""The JSON codec python-socketio and python-engineio are given, built once.

python-engineio's own ``loads`` passes ``parse_int`` on every call, which makes the
standard library build a new decoder for every packet. This module keeps its rule (an
integer of more than 100 digits is refused: converting huge ones is quadratic) with one
decoder made at import.
"""

from __future__ import annotations

import json
from json import JSONDecodeError, dumps  # noqa: F401 - python-socketio calls json.dumps
from typing import Any

MAX_INTEGER_DIGITS = 100


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


_decoder = json.JSONDecoder(parse_int=_bounded_int)


def loads(text: str | bytes | bytearray, **options: Any) -> Any:
    if options:
        return json.loads(text, parse_int=_bounded_int, **options)
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8")
    return _decoder.decode(text)
