"""String formats: the nineteen of JSON Schema 2020-12 are enforced as their RFCs say, in
compiled checks and on the wire, and unknown formats are accepted."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django.testing import SocketIOTestCase
from asynction_django.validation import compile_schema

# format: (valid values, invalid values)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "date-time": (
        ["2024-01-01T00:00:00Z", "2024-02-29T12:30:45.123+05:30", "2024-01-01t00:00:00z",
         "1998-12-31T23:59:60Z", "1998-12-31T15:59:60.123-08:00", "0000-01-01T00:00:00Z"],
        ["yesterday", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T00:00:00",
         "2024-01-01 00:00:00Z", "2024-01-01T23:58:60Z", "2024-01-01T24:00:00Z",
         "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00.Z", "2024-1-01T00:00:00Z",
         "2024-01-01T00:00:00Z\n", "２０２４-01-01T00:00:00Z", "2024-01-01T00:00:00,5Z", ""],
    ),
    "date": (
        ["2024-02-29", "2000-02-29", "2023-12-31", "0001-01-01"],
        ["2024-02-30", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-00",
         "2024-1-1", "20240101", "2024-01-01T00:00:00Z", "2024-01-0\u0661", "yesterday"],
    ),
    "time": (
        ["00:00:00Z", "23:59:60Z", "15:59:60-08:00", "12:00:00.5+01:00", "12:00:00z"],
        ["12:00:00", "24:00:00Z", "12:60:00Z", "12:00:60Z", "23:59:60+01:00", "12:00:00+0100",
         "1:00:00Z", "08:30:06 PST", "12:00:00.Z", "noon"],
    ),
    "duration": (
        ["P1D", "P1Y2M", "PT1H", "P4DT12H30M5S", "P2W", "PT36H", "PT0S", "P1M1D"],
        ["PT", "P", "P1DT", "P1Y2W", "P2D1Y", "P1D2H", "P0.5D", "PT1.5S", "P-1D", "p1d", "1D",
         "P1Y1D", "PT1H1S", "P1D\n"],
    ),
    "email": (
        ["ann@example.com", "a.b+tag@sub.example.co", '"ann smith"@example.com',
         "ann@[192.0.2.1]", "ann@[IPv6:2001:db8::1]", "ann@localhost", '""@example.com'],
        ["ann.example.com", "ann smith@example.com", "ann@", "@example.com", ".ann@example.com",
         "ann.@example.com", "ann..b@example.com", "ann@example..com", "ann@-example.com",
         "ann@exa_mple.com", "Ann <ann@example.com>", "ann@[300.1.1.1]", "ann@[IPv6:1.2.3.4]",
         "\u00e9@example.com", "ann@b\u00fccher.de", "ann@example.com\n"],
    ),
    "idn-email": (
        ["ann@example.com", "\uc2e4\ub840@\uc2e4\ub840.\ud14c\uc2a4\ud2b8", "\u00e9@example.com",
         "ann@b\u00fccher.de", '"\u00e9 x"@example.com'],
        ["ann.example.com", "ann smith@example.com", "ann@", "Ann <ann@example.com>",
         "ann@exa mple.com", "ann@-b\u00fccher.de"],
    ),
    "hostname": (
        ["example.com", "a-b.example", "xn--nnx388a", "localhost", "a" * 63 + ".com",
         "xn--4gbwdl.xn--wgbh1c"],
        ["exa mple.com", "-a.com", "a-.com", "a_b.com", "example.com.", "", "a..b",
         "a" * 64 + ".com", "xn--x", "ab--cd.com", "b\u00fccher.de", ".".join(["a"] * 128)],
    ),
    "idn-hostname": (
        ["example.com", "\uc2e4\ub840.\ud14c\uc2a4\ud2b8", "b\u00fccher.de", "xn--nnx388a",
         "\u4f8b\u3048\u3002\u30c6\u30b9\u30c8", "l\u00b7l.example", "\u00df.example",
         "\u0915\u094d\u200d\u0937"],
        ["exa mple.com", "-a.com", "\u0300a.example", "a\u200db.example", "\u00b7l.example",
         "a" * 64, "xn--x", "ab--cd.example", "", "example.com.", "\u10a0.example",
         "\u0627\u0661a.example"],
    ),
    "ipv4": (
        ["192.0.2.1", "0.0.0.0", "255.255.255.255"],
        ["01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4\n",
         "\u0661.2.3.4", "0x7f.0.0.1"],
    ),
    "ipv6": (
        ["::1", "::", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "FE80::1",
         "1:2:3:4:5:6:7::", "1:2:3:4:5:6:1.2.3.4"],
        ["1:2:3:4:5:6:7:8:9", "12345::", "1:::2", ":1", "1::2::3", "fe80::1%eth0",
         "::ffff:01.2.3.4", "2001:db8::g", "1:2:3:4:5:6:7:1.2.3.4", "192.0.2.1"],
    ),
    "uri": (
        ["https://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:ann@example.com",
         "http://[::1]:8080/", "http://user:pw@example.com:80/p", "a:b", "http://[v1.x]/"],
        ["not a uri", "example.com", "//example.com", "/relative", "http://exa mple.com",
         "http://example.com/%zz", "http://example.com/\u00e9", "1http://x", "http://[::1/",
         "http://example.com:80a/", "http://[fe80::1%25eth0]/", ""],
    ),
    "uri-reference": (
        ["/a/b", "a/b", "", "#frag", "?q", "//example.com/p", "../x", "a:b:c",
         "https://example.com"],
        ["not a uri", "\\\\host", "%zz", "1a:b", "\u00e9", "http://exa mple.com"],
    ),
    "iri": (
        ["https://\u4f8b\u3048.jp/\u30d1\u30b9", "http://[::1]/", "urn:\u00e4",
         "https://example.com/?\ue000"],
        ["/relative", "http://exa mple.com", "not an iri", "https://\u4f8b\u3048.jp/%zz",
         "https://example.com/#\ue000"],
    ),
    "iri-reference": (
        ["/\u30d1\u30b9", "", "#\u00e4", "//\u4f8b\u3048.jp", "https://example.com"],
        ["not an iri", "\\\\host", "a b", "%zz"],
    ),
    "uuid": (
        ["2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2EB8AA08-AA98-11EA-B4AA-73B441D16380",
         "00000000-0000-0000-0000-000000000000"],
        ["2eb8aa08aa9811eab4aa73b441d16380", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}",
         "urn:uuid:2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2eb8aa08-aa98-11ea-b4aa-73b441d1638",
         "2eb8aa08-aa98-11ea-b4aa-73b441d1638g", "2eb8aa08-aa9811ea-b4aa-73b441d16380"],
    ),
    "regex": (
        ["^a+$", "(a+)+$", "(?<year>\\d{4})-\\k<year>", "[a-z\\d_-]+", "\\p{L}+",
         "(?<=\\$)\\d+", "\\u{1F600}", "a{2,3}?", "", "(?<n>a)|(?<n>b)", "\\-"],
        ["(", "[a-", "a**", "a{2,1}", "(?P<n>a)", "(?i)a", "\\1", "\\a", "(?<n>a)(?<n>b)",
         "[z-a]", ")", "\\k<missing>", "a{,5}"],
    ),
    "json-pointer": (
        ["", "/", "/a/b", "/a~0b~1c", "//", "/\u00e9"],
        ["a/b", "/a~2", "/a~", "~"],
    ),
    "relative-json-pointer": (
        ["0", "1/a", "0#", "12/a~1b"],
        ["-1", "01", "/a", "", "1#/a", "0/a~2", "1a"],
    ),
    "uri-template": (
        ["http://example.com/{id}", "{+path}/x", "{?q,lang}", "{var:3}", "{list*}", "plain", ""],
        ["http://example.com/{id", "{}", "}", "{x:0}", "{x y}", "%zz", "a b"],
    ),
}


KNOWN = sorted(CASES)


def checked(fmt: str):
    """Whether a value passes ``format: fmt``, as the server checks it."""
    check = compile_schema({"type": "string", "format": fmt}, {})
    return lambda value: not check(value)


class FormatTableTests(SimpleTestCase):
    def cases(self):
        for fmt, (valid, invalid) in CASES.items():
            for value in valid:
                yield fmt, value, True
            for value in invalid:
                yield fmt, value, False

    def test_the_table_covers_every_format_the_readme_lists(self):
        self.assertEqual(len(KNOWN), 19)

    def test_each_format_accepts_and_refuses_as_its_rfc_says(self):
        for fmt, value, expected in self.cases():
            with self.subTest(format=fmt, value=value):
                errors = compile_schema({"type": "string", "format": fmt}, {})(value)
                self.assertEqual(not errors, expected)
                if errors:
                    self.assertEqual([e.keyword for e in errors], ["format"])

    def test_unknown_formats_are_accepted(self):
        for fmt in ("first_name", "color", "int32", "sentence"):
            for value in ("Ann", "", "#zzz", "not anything"):
                with self.subTest(format=fmt, value=value):
                    self.assertTrue(checked(fmt)(value))

    def test_values_that_are_not_strings_pass_every_format(self):
        for fmt in KNOWN:
            check = compile_schema({"format": fmt}, {})
            for value in (42, 1.5, None, True, [], {}, ["yesterday"], {"a": "b"}):
                with self.subTest(format=fmt, value=value):
                    self.assertEqual(check(value), [])

    def test_regex_validity_is_decided_without_matching(self):
        """Nested or backtracking patterns are read once, never run, never recursed into."""
        hostile = ["(" * 5000, "(" * 100000, "[" * 100000, "(?:" * 50000, "(a+)+$",
                   "(" * 50000 + ")" * 50000]
        expected = [False, False, False, False, True, True]
        check = checked("regex")
        for pattern, valid in zip(hostile, expected, strict=True):
            with self.subTest(pattern=pattern[:20], length=len(pattern)):
                self.assertIs(check(pattern), valid)


CALLS = {"schedule": 0}


def schedule(sid, payload):
    CALLS["schedule"] += 1
    return payload


FORMATS_SPEC = {
    "asyncapi": "2.6.0",
    "info": {"title": "Formats", "version": "1.0"},
    "channels": {"/": {"publish": {"message": {
        "name": "schedule",
        "x-handler": f"{__name__}.schedule",
        "payload": {
            "type": "object",
            "required": ["when"],
            "properties": {
                "when": {"type": "string", "format": "date-time"},
                "link": {"type": "string", "format": "uri"},
                "contact": {"type": "string", "format": "email"},
                "nickname": {"type": "string", "format": "first_name"},
            },
        },
        "x-ack": {"args": {"type": "object"}},
    }}}},
}


@override_settings(ASYNCTION_SPEC=FORMATS_SPEC)
class WireFormatTests(SocketIOTestCase):
    """Formats are enforced on the wire: the handler never sees a value that breaks one."""

    def setUp(self):
        super().setUp()
        self.client = self.socketio_client()

    def test_invalid_formats_get_an_error_ack(self):
        valid = {"when": "2024-05-01T09:30:00Z", "link": "https://example.com/a",
                 "contact": "ann@example.com", "nickname": "anything at all"}
        for field, value in [("when", "yesterday"), ("when", "2024-02-30T00:00:00Z"),
                             ("link", "not a uri"), ("link", "http://exa mple.com"),
                             ("contact", "ann.example.com"), ("contact", "Ann <ann@example.com>")]:
            with self.subTest(field=field, value=value):
                before = CALLS["schedule"]
                reply = self.client.call("schedule", {**valid, field: value})
                self.assertEqual(CALLS["schedule"], before)
                self.assertEqual(reply["error"]["type"], "PayloadValidationError")
                self.assertEqual(
                    [(e["pointer"], e["keyword"]) for e in reply["error"]["errors"]],
                    [(f"/{field}", "format")])

    def test_valid_formats_reach_the_handler(self):
        for payload in [{"when": "2024-05-01T09:30:00Z"},
                        {"when": "1998-12-31T23:59:60Z", "link": "urn:isbn:0451450523",
                         "contact": '"ann smith"@example.com', "nickname": "?"}]:
            with self.subTest(payload=payload):
                before = CALLS["schedule"]
                self.assertEqual(self.client.call("schedule", payload), payload)
                self.assertEqual(CALLS["schedule"], before + 1)
