"""Strings that read like data, from Faker, for the mock server's fakes.

A string's kind comes from its JSON Schema ``format`` (``email``, ``date-time``), from a Faker
provider named as its ``format`` (``first_name``), or else from its property's name
(``email``, ``username``, ``createdAt``); plain strings are words. Each kind and length range
gets a list of words drawn once, which hypothesis-jsonschema picks from as a custom format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker

PLAIN = "word"
TEXT = "sentence"
CUSTOM = "x-asynction-"  # generation-only format names, so hypothesis' own stay untouched

# JSON Schema formats (and kinds of our own) that Faker writes better than hypothesis.
SPECIAL: dict[str, Callable[[Faker], str]] = {
    "date-time": lambda faker: faker.date_time_this_decade(tzinfo=UTC).isoformat(),
    "date": lambda faker: faker.date(),
    "time": lambda faker: faker.time() + "Z",  # RFC 3339 full-time needs an offset
}
# The formats a validator checks (the others, such as OpenAPI's ``int64``, only document).
CHECKED_FORMATS = {
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid",
    "json-pointer", "relative-json-pointer", "regex",
}
FORMAT_PROVIDERS = {
    "email": "email", "idn-email": "email", "uri": "url", "iri": "url", "uuid": "uuid4",
    "hostname": "domain_name", "idn-hostname": "domain_name", "ipv4": "ipv4", "ipv6": "ipv6",
}
# A property's name (lower case, without ``_`` and ``-``, singular) -> the kind it holds.
NAME_HINTS = {
    **dict.fromkeys(("email", "mail", "emailaddress"), "email"),
    **dict.fromkeys(("username", "user", "login", "nick", "nickname", "handle", "member",
                     "author", "sender", "recipient", "owner", "creator"), "user_name"),
    **dict.fromkeys(("name", "fullname", "displayname"), "name"),
    **dict.fromkeys(("firstname", "givenname"), "first_name"),
    **dict.fromkeys(("lastname", "surname", "familyname"), "last_name"),
    **dict.fromkeys(("url", "uri", "link", "href", "website", "homepage"), "url"),
    **dict.fromkeys(("avatar", "image", "picture", "photo", "icon"), "image_url"),
    **dict.fromkeys(("phone", "phonenumber", "mobile", "tel"), "phone_number"),
    **dict.fromkeys(("address", "street", "streetaddress"), "street_address"),
    **dict.fromkeys(("zip", "zipcode", "postcode", "postalcode"), "postcode"),
    **dict.fromkeys(("company", "organization", "organisation"), "company"),
    **dict.fromkeys(("text", "message", "body", "content", "comment", "description",
                     "summary", "note", "reason", "title", "subject", "bio"), TEXT),
    **dict.fromkeys(("id", "uuid", "guid"), "uuid4"),
    **dict.fromkeys(("ip", "ipaddress"), "ipv4"),
    **dict.fromkeys(("host", "hostname", "domain"), "domain_name"),
    **dict.fromkeys(("time", "timestamp", "datetime", "created", "updated", "when"),
                    "date-time"),
    **dict.fromkeys(("color", "colour"), "color_name"),
    **dict.fromkeys(("language", "lang", "locale"), "language_code"),
    "date": "date", "city": "city", "country": "country", "countrycode": "country_code",
    "currency": "currency_code", "password": "password", "slug": "slug", "token": "sha256",
}
SUFFIX_HINTS = ((re.compile(r"(_at|At)$"), "date-time"), (re.compile(r"(_id|Id|ID)$"), "uuid4"),
                (re.compile(r"(_url|Url|URL)$"), "url"), (re.compile(r"(?i)email$"), "email"))


def kind_for_name(name: str | None) -> str | None:
    """The kind of string a property of this name most likely holds (None: no idea)."""
    if not name:
        return None
    key = re.sub(r"[_\-\s]", "", name).lower()
    for candidate in (key, key[:-1] if key.endswith("s") else key):
        if candidate in NAME_HINTS:
            return NAME_HINTS[candidate]
    return next((kind for pattern, kind in SUFFIX_HINTS if pattern.search(name)), None)


class FakeWords:
    """Word lists per (kind, length range), each registered as a custom format."""

    def __init__(self, faker: Faker, size: int):
        self.faker = faker
        self.size = size
        self.lists: dict[str, list[str]] = {}

    def knows(self, kind: str) -> bool:
        """Whether Faker can write this kind (a JSON Schema format or a provider name)."""
        return self._writer(kind) is not None

    def format_for(self, kind: str, shortest: int = 0, longest: int | None = None) -> str | None:
        """The custom format name of ``kind`` within the lengths; None if none fit."""
        name = f"{CUSTOM}{kind}-{shortest}-{longest}"
        if name not in self.lists:
            words = self._words(kind, shortest, longest)
            if not words and kind in (PLAIN, TEXT):
                words = [self._padded(shortest, longest) for _ in range(self.size)]
            self.lists[name] = sorted(set(words))
        return name if self.lists[name] else None

    def draw(self, kind: str, shortest: int = 0, longest: int | None = None) -> str | None:
        """One new string of ``kind`` within the lengths (None: Faker has none that fit)."""
        words = self._words(kind, shortest, longest, size=1)
        if words:
            return words[0]
        return self._padded(shortest, longest) if kind in (PLAIN, TEXT) else None

    def _writer(self, kind: str) -> Callable[[], Any] | None:
        if kind in SPECIAL:
            return lambda: SPECIAL[kind](self.faker)
        provider = FORMAT_PROVIDERS.get(kind, kind)
        if provider.startswith("_") or not provider.isidentifier():
            return None
        writer = getattr(self.faker, provider, None)
        return writer if callable(writer) else None

    def _words(self, kind: str, shortest: int, longest: int | None,
               size: int | None = None) -> list[str]:
        writer = self._writer(kind)
        size = size or self.size
        if writer is None:
            return []
        words = []
        for _ in range(max(size * 3, 10)):
            try:
                word = writer()
            except Exception:  # noqa: BLE001 - a Faker method that is not a value (needs args)
                return []
            if not isinstance(word, str):  # bytes, dates, lists: not a string's words
                return []
            if shortest <= len(word) <= (longest if longest is not None else len(word)):
                words.append(word)
            if len(words) == size:
                break
        return words

    def _padded(self, shortest: int, longest: int | None) -> str:
        """Words joined up to ``shortest`` characters, cut at ``longest``."""
        text = self.faker.word()
        while len(text) < shortest:
            text += " " + self.faker.word()
        if longest is not None:
            text = text[:longest]
        return text if len(text) >= shortest else text + "x" * (shortest - len(text))
