"""Converting an AsyncAPI 2.x document into an equivalent 3.0 one.

``publish`` becomes a ``receive`` operation, ``subscribe`` a ``send`` one, and ``x-ack``
a ``reply`` whose message carries the ack's schema. 2.x traits (where the trait wins) are
applied here, since 3.x traits follow the opposite rule. The result serves the same API:
the test suite runs its 2.x documents through this and the same tests.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import PointerError, SpecError, SpecProblem
from .documents import DICT_SOURCE, parse_text
from .pointers import escape_token, join_pointer, resolve, unescape_token
from .traits import apply_traits_v2
from .v2 import SUPPORTED as SUPPORTED_V2

TARGET_VERSION = "3.0.0"
ACTIONS = (("publish", "receive"), ("subscribe", "send"))
COMPONENT_MESSAGE = re.compile(r"^#/components/messages/([^/]+)$")


def convert_to_v3(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """The 3.0 equivalent of the 2.x document ``source``; SpecError if it has none."""
    if isinstance(source, dict):
        name, document = DICT_SOURCE, copy.deepcopy(source)
    else:
        path = Path(source)
        name, document = str(path.resolve()), parse_text(path.read_text(encoding="utf-8"),
                                                          str(path))
    return _Converter(name, document).run()


class _Converter:
    def __init__(self, file: str, document: Any):
        self.file = file
        self.doc = document
        self.problems: list[SpecProblem] = []
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.acks: dict[str, str] = {}  # component message -> its ack message's name

    def problem(self, pointer: str, reason: str) -> None:
        self.problems.append(SpecProblem(self.file, pointer or "/", reason))

    def run(self) -> dict[str, Any]:
        if not isinstance(self.doc, dict) or not SUPPORTED_V2.match(
                str(self.doc.get("asyncapi"))):
            self.problem("/asyncapi", "only AsyncAPI 2.0.0 to 2.6.0 documents can be converted")
            raise SpecError(self.problems)
        converted: dict[str, Any] = {"asyncapi": TARGET_VERSION}
        for key, value in self.doc.items():
            if key not in ("asyncapi", "servers", "channels", "components"):
                converted[key] = value
        servers = self.doc.get("servers")
        if isinstance(servers, dict):
            converted["servers"] = {name: self.server(name, server)
                                    for name, server in servers.items()}
        for name, channel in (self.doc.get("channels") or {}).items():
            self.channel(name, self.local(channel))
        converted["channels"] = self.channels
        converted["operations"] = self.operations
        converted["components"] = self.components()
        if self.problems:
            raise SpecError(self.problems)
        return converted

    def local(self, node: Any) -> Any:
        """``node``, following local ``$ref``s (other files' refs are kept as they are)."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                return node
            seen.add(ref)
            try:
                node = resolve(self.doc, ref[1:])
            except PointerError:
                return node
        return node

    # Servers and security --------------------------------------------------------------

    def server(self, name: str, server: Any) -> Any:
        server = self.local(server)
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            return server
        url = server["url"]
        parts = urlsplit(url if "://" in url else f"//{url}")
        converted = {"host": parts.netloc, "protocol": server.get("protocol", "ws")}
        if parts.path not in ("", "/"):
            converted["pathname"] = parts.path
        for key, value in server.items():
            if key not in ("url", "protocol", "security"):
                converted[key] = value
        if "security" in server:
            converted["security"] = self.security(server["security"],
                                                  f"/servers/{escape_token(name)}/security")
        return converted

    def security(self, requirements: Any, pointer: str) -> list[Any]:
        """2.x requirements (OR of ANDs) as 3.x scheme lists (OR only)."""
        schemes: list[Any] = []
        for index, requirement in enumerate(requirements or []):
            at = join_pointer(pointer, index)
            if not isinstance(requirement, dict) or len(requirement) != 1:
                self.problem(at, "AsyncAPI 3 lists alternative schemes only: a requirement "
                                 "of no scheme or of several schemes at once cannot be "
                                 "converted (channel x-security can say it)")
                continue
            (name, scopes), = requirement.items()
            ref = {"$ref": f"#/components/securitySchemes/{escape_token(name)}"}
            if scopes:
                scheme = copy.deepcopy(self.local(ref))
                schemes.append({**scheme, "scopes": list(scopes)})
            else:
                schemes.append(ref)
        return schemes

    # Channels, operations and messages ------------------------------------------------

    def channel(self, name: str, channel: Any) -> None:
        channel_id = _identifier(name.strip("/") or "root", self.channels)
        converted: dict[str, Any] = {"address": name, "messages": {}}
        for key, value in (channel or {}).items():
            if key not in ("publish", "subscribe", "parameters"):
                converted[key] = value
        self.channels[channel_id] = converted
        pointer = f"/channels/{escape_token(name)}"
        for key, action in ACTIONS:
            operation = self.local((channel or {}).get(key))
            if isinstance(operation, dict):
                self.operation(channel_id, apply_traits_v2(self._traits(operation)), action,
                               join_pointer(pointer, key))

    def _traits(self, target: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(target.get("traits"), list):
            return target
        return {**target, "traits": [self.local(trait) for trait in target["traits"]]}

    def operation(self, channel_id: str, operation: dict[str, Any], action: str,
                  pointer: str) -> None:
        message = self.local(operation.get("message"))
        candidates = message["oneOf"] if isinstance(message, dict) and isinstance(
            message.get("oneOf"), list) else [operation.get("message")]
        for candidate in candidates:
            if candidate is None:
                continue
            key, ack_key = self.message(channel_id, candidate)
            channel_ref = {"$ref": f"#/channels/{escape_token(channel_id)}"}
            converted: dict[str, Any] = {
                "action": action,
                "channel": channel_ref,
                "messages": [self._message_ref(channel_id, key)],
            }
            for field in ("summary", "description", "tags", "externalDocs", "bindings"):
                if field in operation:
                    converted[field] = operation[field]
            if "security" in operation:
                converted["security"] = self.security(operation["security"],
                                                      join_pointer(pointer, "security"))
            if ack_key is not None:
                converted["reply"] = {"channel": dict(channel_ref),
                                      "messages": [self._message_ref(channel_id, ack_key)]}
            self.operations[_identifier(f"{channel_id}_{action}_{key}", self.operations)] = (
                converted)

    @staticmethod
    def _message_ref(channel_id: str, key: str) -> dict[str, str]:
        return {"$ref": f"#/channels/{escape_token(channel_id)}/messages/{escape_token(key)}"}

    def message(self, channel_id: str, candidate: Any) -> tuple[str, str | None]:
        """Adds the message (and its ack) to the channel; returns their keys there."""
        messages = self.channels[channel_id]["messages"]
        ref = candidate.get("$ref") if isinstance(candidate, dict) else None
        component = COMPONENT_MESSAGE.match(ref) if isinstance(ref, str) else None
        if component:  # shared: converted once, in components
            name = unescape_token(component.group(1))
            if name not in self.acks:
                body = self.local(candidate)
                self.doc["components"]["messages"][name] = self._message_body(body)
                self.acks[name] = self._ack_component(name, body)
            messages.setdefault(name, {"$ref": ref})
            ack_name = self.acks[name] or None
            if ack_name:
                messages.setdefault(ack_name, {
                    "$ref": f"#/components/messages/{escape_token(ack_name)}"})
            return name, ack_name
        if ref is not None:  # another file: kept, with x-ack as 3.x's alias for reply
            key = _identifier(ref.rsplit("/", 1)[-1], messages)
            messages[key] = candidate
            return key, None
        body = self._traits(candidate) if isinstance(candidate, dict) else candidate
        key = _identifier(str((body or {}).get("name") or "message"), messages)
        messages[key] = self._message_body(body)
        ack = self._ack_payload(body)
        if ack is None:
            return key, None
        ack_key = _identifier(f"{key} ack", messages)
        messages[ack_key] = {"payload": ack}
        return key, ack_key

    def _message_body(self, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        body = apply_traits_v2(self._traits(body))
        converted = {key: value for key, value in body.items()
                     if key not in ("x-ack", "messageId", "schemaFormat")}
        if "schemaFormat" in body and "payload" in body:
            converted["payload"] = {"schemaFormat": body["schemaFormat"],
                                    "schema": body["payload"]}
        return converted

    def _ack_component(self, name: str, body: Any) -> str:
        ack = self._ack_payload(body)
        if ack is None:
            return ""
        ack_name = _identifier(f"{name}Ack", self.doc["components"]["messages"])
        self.doc["components"]["messages"][ack_name] = {"payload": ack}
        return ack_name

    def _ack_payload(self, body: Any) -> Any:
        """The ack's schema from ``x-ack`` (``{args: schema}``, a bare schema or a $ref)."""
        if not isinstance(body, dict):
            return None
        body = apply_traits_v2(self._traits(body))
        ack = body.get("x-ack")
        if ack is None:
            return None
        target = self.local(ack)
        if isinstance(target, dict) and "args" in target:
            ref = ack.get("$ref") if isinstance(ack, dict) else None
            return {"$ref": f"{ref}/args"} if isinstance(ref, str) else target["args"]
        return ack

    def components(self) -> dict[str, Any]:
        components = {key: value for key, value in (self.doc.get("components") or {}).items()
                      if key not in ("messageTraits", "operationTraits")}
        schemes = components.get("securitySchemes")
        if isinstance(schemes, dict):
            components["securitySchemes"] = {name: _scheme_v3(scheme)
                                             for name, scheme in schemes.items()}
        return components


def _scheme_v3(scheme: Any) -> Any:
    """oauth2 flows list ``availableScopes`` in 3.x, not ``scopes``."""
    if not isinstance(scheme, dict) or not isinstance(scheme.get("flows"), dict):
        return scheme
    flows = {}
    for name, flow in scheme["flows"].items():
        if isinstance(flow, dict) and "scopes" in flow:
            flow = {("availableScopes" if key == "scopes" else key): value
                    for key, value in flow.items()}
        flows[name] = flow
    return {**scheme, "flows": flows}


def _identifier(text: str, taken: dict[str, Any]) -> str:
    """A readable key from ``text`` that is not in ``taken`` yet."""
    words: list[str] = re.findall(r"[A-Za-z0-9]+", text) or ["item"]
    base = words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    return candidate
