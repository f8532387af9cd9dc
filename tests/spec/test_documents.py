"""Loading documents: formats, $ref resolution, scalars, versions, names."""

from __future__ import annotations

import json

from django.test import SimpleTestCase

from asynction_django.exceptions import PayloadValidationError
from asynction_django.spec import Arity, inspect_spec, load_spec
from asynction_django.spec.servers import socketio_path_from_url
from asynction_django.validation import ArgumentsValidator
from tests.support import SPECS

UNIT = SPECS / "unit"


def minimal(**overrides):
    document = {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": {}}
    document.update(overrides)
    return document


class LoadingTests(SimpleTestCase):
    def test_yaml_json_and_dict_sources_give_the_same_model(self, tmp=None):
        spec_yaml = load_spec(UNIT / "refs.yaml")
        as_json = UNIT.parent / "refs-as.json"
        self.addCleanup(as_json.unlink, missing_ok=True)
        as_json.write_text(json.dumps(spec_yaml.document))
        spec_json = load_spec(as_json)
        spec_dict = load_spec(spec_yaml.document)
        for spec in (spec_json, spec_dict):
            self.assertEqual(sorted(spec.namespaces["/"].received),
                             sorted(spec_yaml.namespaces["/"].received))

    def test_local_refs_with_escapes_chained_refs_and_ignored_siblings(self):
        spec = load_spec(UNIT / "refs.yaml")
        received = spec.namespaces["/"].received
        self.assertEqual(received["chained"].payload.schema, {"type": "integer"})
        self.assertNotIn("description", received["tree"].payload.schema)

    def test_relative_file_refs_resolve_against_the_referring_file(self):
        spec = load_spec(UNIT / "refs.yaml")
        schema = spec.namespaces["/"].received["scalars"].payload.schema
        self.assertEqual(schema["properties"]["count"], {"type": "integer", "default": 3})

    def test_json_scalars_survive_and_yaml_reads_like_yaml_1_2(self):
        props = load_spec(UNIT / "refs.yaml").namespaces["/"].received["scalars"].payload.schema[
            "properties"]
        self.assertEqual(props["ratio"]["default"], 1.5)
        self.assertIs(props["flag"]["default"], False)
        self.assertIsNone(props["nothing"]["default"])
        self.assertEqual(props["day"]["default"], "2024-01-01")
        self.assertEqual(props["answer"]["enum"], ["yes", "no"])

    def test_yaml_scalars_follow_the_yaml_1_2_core_schema(self):
        spec = load_spec(UNIT / "yaml12.yaml")
        enum = spec.namespaces["/"].received["scalars"].payload.schema["enum"]
        self.assertEqual(enum, [10, 8, 31, "1_000", "1:20", "yes", "off", "2024-01-01", 1.5,
                                float("inf"), 1000.0, None, True, "010"])
        self.assertIsInstance(enum[0], int)
        self.assertIsInstance(enum[10], float)

    def test_recursive_schemas_validate_recursive_instances(self):
        spec = load_spec(UNIT / "refs.yaml")
        json.dumps(spec.document)  # the resolved document stays serialisable
        validator = ArgumentsValidator(spec.namespaces["/"].received["tree"].payload,
                                       spec.document, PayloadValidationError, "tree")
        validator.validate(({"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]},))
        with self.assertRaises(PayloadValidationError) as caught:
            validator.validate(({"value": 1, "children": [{"value": 2, "children": [{}]}]},))
        self.assertEqual(caught.exception.errors[0].pointer, "/children/0/children/0")

    def test_supported_versions(self):
        for version in ("2.0.0", "2.3.0", "2.6.0"):
            spec, problems = inspect_spec(minimal(asyncapi=version))
            self.assertEqual(problems, [], version)
        for version in ("1.2.0", "3.2.0", "4.0.0", None, 2.6):
            spec, problems = inspect_spec(minimal(asyncapi=version))
            self.assertIsNone(spec)
            self.assertEqual(problems[0].pointer, "/asyncapi")
            self.assertIn("is not supported", problems[0].reason)

    def test_event_names_fall_back_to_message_id_then_components_key(self):
        spec = load_spec(UNIT / "fallback_names.yaml")
        self.assertEqual(sorted(spec.namespaces["/"].sent), ["byId", "keyName"])

    def test_arity_follows_the_schema(self):
        spec = load_spec(UNIT / "refs.yaml")
        received = spec.namespaces["/"].received
        self.assertIs(received["tree"].payload.arity, Arity.ONE)
        self.assertIs(received["chained"].ack, None)

    def test_socketio_path_from_server_urls(self):
        cases = {
            "ws://example.com/api/socket.io": "api/socket.io",
            "example.com/api/socket.io/": "api/socket.io",
            "example.com": "socket.io",
            "example.com/": "socket.io",
            "localhost:8000/rt": "rt",
        }
        for url, path in cases.items():
            self.assertEqual(socketio_path_from_url(url), path, url)

    def test_server_url_variables_take_their_defaults(self):
        spec = load_spec(minimal(servers={"s": {
            "url": "{host}/{base}", "protocol": "ws",
            "variables": {"host": {"default": "h"}, "base": {"enum": ["live", "x"]}}}}))
        self.assertEqual(spec.servers["s"].socketio_path, "live")
