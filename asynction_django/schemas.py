"""AsyncAPI Schema Objects as self-contained JSON Schema 2020-12.

AsyncAPI 2.x schemas are draft-07 with extras, and real documents mix in 2020-12
keywords such as ``prefixItems``. Rewriting every schema once, at start-up, into one
dialect lets any 2020-12 validator enforce all of it, with nothing ignored silently.
"""

from __future__ import annotations

from typing import Any

from .spec.pointers import resolve

SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_VALUES = (
    "additionalProperties", "propertyNames", "contains", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "items", "additionalItems",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
DROPPED = ("$schema", "$id", "id")
BUNDLE_KEY = "$defs"


def to_json_schema(schema: Any, document: Any) -> Any:
    """Translate ``schema`` (found in the resolved ``document``) into standalone 2020-12.

    Recursive references, left by the resolver as ``#/...`` pointers into ``document``,
    are copied under ``$defs`` so the result needs nothing else to be validated.
    """
    bundle: dict[str, Any] = {}
    translated = _Translator(document, bundle).schema(schema)
    if bundle:
        if not isinstance(translated, dict):  # pragma: no cover - a bool schema cannot recurse
            return translated
        translated = {**translated, BUNDLE_KEY: {**translated.get(BUNDLE_KEY, {}), **bundle}}
    return translated


class _Translator:
    def __init__(self, document: Any, bundle: dict[str, Any]):
        self.document = document
        self.bundle = bundle
        self.names: dict[str, str] = {}

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            bundled = {"$ref": f"#/{BUNDLE_KEY}/{self._bundle(ref[1:])}"}
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            # 2020-12: keywords beside a $ref apply too (a resolved document has none).
            return {**self.schema(siblings), **bundled} if siblings else bundled
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED:
                continue
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.schema(item) for name, item in value.items()}
            elif key == "prefixItems" and value == []:
                continue  # "no positional items" (Socket.IO tools write it): 2020-12 wants none
            elif key in SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.schema(item) for item in value]
            elif key in SCHEMA_VALUES:
                out[key] = value if isinstance(value, list) else self.schema(value)
            elif key == "dependencies" and isinstance(value, dict):
                continue
            else:
                out[key] = value
        self._draft7_arrays(node, out)
        self._draft7_dependencies(node, out)
        self._draft4_exclusive_bounds(out)
        return out

    def _draft7_arrays(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        items = node.get("items")
        if isinstance(items, list):
            out.pop("items")
            out.setdefault("prefixItems", [self.schema(item) for item in items])
            if "additionalItems" in node:
                out["items"] = self.schema(node["additionalItems"])
        out.pop("additionalItems", None)

    def _draft7_dependencies(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        dependencies = node.get("dependencies")
        if not isinstance(dependencies, dict):
            return
        for name, value in dependencies.items():
            if isinstance(value, list):
                out.setdefault("dependentRequired", {})[name] = value
            else:
                out.setdefault("dependentSchemas", {})[name] = self.schema(value)

    @staticmethod
    def _draft4_exclusive_bounds(out: dict[str, Any]) -> None:
        for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = out.get(exclusive)
            if isinstance(value, bool):
                del out[exclusive]
                if value and bound in out:
                    out[exclusive] = out.pop(bound)

    def _bundle(self, pointer: str) -> str:
        if pointer not in self.names:
            name = f"asynction{len(self.names)}"
            self.names[pointer] = name
            self.bundle[name] = self.schema(resolve(self.document, pointer))
        return self.names[pointer]
