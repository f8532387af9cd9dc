"""Typed clients of schemas that compose (tests/specs/composed.yaml), proven with the real
compilers: ``tsc --strict`` and ``mypy --strict`` accept every value the server accepts
(the mock's fakes among them) and refuse, on the right line, what it refuses by shape: a
limit order without its limitPrice, a missing shared field, a field a branch forbids, a
case of an ``if``/``then``/``else`` or a dependency left unmet."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from typing import Any

from asynction_django.clients import render_client
from asynction_django.mock.fakes import FakeFactory
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Spec, load_spec
from asynction_django.validation import compile_schema
from tests.clients.compilers import REFUSED, CompilerTestCase
from tests.clients.test_python import PY_ERROR
from tests.clients.test_typescript import TS_ERROR, TS_OPTIONS, TSC
from tests.support import ROOT, SPECS, skip_or_fail

COMPOSED = SPECS / "composed.yaml"
FAKES_PER_EVENT = 6
# Event -> a refused use of it (TypeScript, Python): each must fail on its line only.
REFUSALS = {
    "limit_without_price": ('socket.emit("place order", { symbol: "A", type: "limit", '
                            'quantity: 1 }, () => {});',
                            'await c.place_order({"symbol": "A", "type": "limit", "quantity": 1})'),
    "missing_shared_field": ('socket.emit("place order", { type: "market", quantity: 1 }, '
                             '() => {});',
                             'await c.place_order({"type": "market", "quantity": 1})'),
    "market_with_price": ('socket.emit("place order", { symbol: "A", type: "market", '
                          'quantity: 1, limitPrice: 2 }, () => {});',
                          'await c.place_order({"symbol": "A", "type": "market", "quantity": 1, '
                          '"limitPrice": 2.0})'),
    "both_contacts": ('socket.emit("update contact", { name: "A", email: "a@b.co", '
                      'phone: "+1234567" });',
                      'await c.update_contact({"name": "A", "email": "a@b.co", '
                      '"phone": "+1234567"})'),
    "no_contact": ('socket.emit("update contact", { name: "A" });',
                   'await c.update_contact({"name": "A"})'),
    "us_without_zip": ('socket.emit("ship", { country: "US" });',
                       'await c.ship({"country": "US"})'),
    "fr_with_zip": ('socket.emit("ship", { country: "FR", zip: "12345" });',
                    'await c.ship({"country": "FR", "zip": "12345"})'),
    "wrap_without_message": ('socket.emit("ship", { country: "FR", giftWrap: true });',
                             'await c.ship({"country": "FR", "giftWrap": True})'),
    "all_of_field_missing": ('socket.emit("save category", { name: "a", leaf: true });',
                             'await c.save_category({"name": "a", "leaf": True})'),
    "branch_the_parent_forbids": ('socket.emit("configure", { kind: "b", colour: "red" });',
                                  'await c.configure({"kind": "b", "colour": "red"})'),
}
TS_GOOD = """\
import { connectComposed, type Order, type Symbol2 } from "./client";
import type { ComposedClientToServerEvents as Up, ComposedServerToClientEvents as Down }
  from "./client";

const socket = connectComposed("");
socket.emit("place order", { symbol: "A", type: "limit", quantity: 2, limitPrice: 9.5 },
  (reply) => { if (!("error" in reply)) console.log(reply.id); });
socket.emit("place order", { symbol: "A", type: "market", quantity: 2, firmware: "1.2.3" },
  () => {});
socket.emit("update contact", { name: "Ann", phone: "+1234567" });
socket.emit("ship", { country: "FR" });
socket.emit("ship", { country: "US", zip: "12345", giftWrap: true, giftMessage: "hi" });
socket.emit("save category", { name: "a", createdBy: "x", leaf: true });
socket.emit("save category",
  { name: "a", createdBy: "x", children: [{ name: "b", createdBy: "y", leaf: true }] });
socket.emit("configure", { kind: "a", size: 3 });
socket.on("order placed", (order: Order) => {
  const symbol: string = order.symbol;  // shared by every branch
  if (order.type === "limit") { const price: number = order.limitPrice; console.log(price); }
  console.log(symbol);
});
const quote: Symbol2 = { ticker: "X" };
console.log(quote);
"""
PY_GOOD = """\
from __future__ import annotations

from typing import Any

from composed_client import ComposedClient, Order


async def main(c: ComposedClient) -> None:
    ack = await c.place_order({"symbol": "A", "type": "limit", "quantity": 2, "limitPrice": 9.5})
    print(ack["id"])
    await c.place_order({"symbol": "A", "type": "market", "quantity": 2, "firmware": "1.2.3"})
    await c.update_contact({"name": "Ann", "phone": "+1234567"})
    await c.ship({"country": "FR"})
    await c.ship({"country": "US", "zip": "12345", "giftWrap": True, "giftMessage": "hi"})
    await c.save_category({"name": "a", "createdBy": "x", "leaf": True})
    await c.save_category({"name": "a", "createdBy": "x",
                           "children": [{"name": "b", "createdBy": "y", "leaf": True}]})
    await c.configure({"kind": "a", "size": 3})

    def placed(order: Order) -> None:
        symbol: str = order["symbol"]  # shared by every branch
        if order["type"] == "limit":
            price: float = order["limitPrice"]
            print(price)
        print(symbol)

    c.on_order_placed(placed)
"""


def fakes(spec: Spec, event: str, sent: bool) -> list[Any]:
    """Values the mock sends for ``event``: valid ones, as the server says."""
    namespace = spec.namespaces["/"]
    message = (namespace.sent if sent else namespace.received)[event]
    check = compile_schema(message.payload.schema, spec.document)
    return FakeFactory(seed=3, size=FAKES_PER_EVENT).values(
        to_json_schema(message.payload.schema, spec.document), lambda value: not check(value))


class ComposedTypeScriptTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        if not (TSC.exists() and shutil.which("node")):
            skip_or_fail("tsc", "the TypeScript client tests",
                         f"Install Node and run `npm install` in {ROOT}.")
        super().setUpClass()

    def tsc(self, module: str, files: dict[str, str]) -> Any:
        folder = self.folder()
        (folder / "node_modules").symlink_to(ROOT / "node_modules")
        (folder / "client.ts").write_text(module, encoding="utf-8")
        return self.check([str(TSC), *TS_OPTIONS, "client.ts"], files, folder)

    def test_typescript_accepts_every_valid_value_and_refuses_what_the_server_refuses(self):
        spec = load_spec(COMPOSED, require_handlers=False)
        module = render_client(spec, "typescript")
        typed = [(f"Parameters<{direction}[{json.dumps(event)}]>[0]", value)
                 for direction, sent, events in (("Up", False, spec.namespaces["/"].received),
                                                 ("Down", True, spec.namespaces["/"].sent))
                 for event in events for value in fakes(spec, event, sent)]
        good = TS_GOOD + "".join(f"const fake{number}: {type_} = {json.dumps(value)};\n"
                                 for number, (type_, value) in enumerate(typed))
        self.assert_accepted(self.tsc(module, {"good.ts": good}))
        head = ('import { connectComposed } from "./client";\n\n'
                'const socket = connectComposed("");\n')
        bad = {f"{name}.ts": f"{head}{typescript} // {REFUSED}\n"
               for name, (typescript, _) in REFUSALS.items()}
        bad["unnarrowed.ts"] = (f'{head}socket.on("order placed", (order) => {{ '
                                f"const price: number = order.limitPrice; }}); // {REFUSED}\n")
        self.assert_refused(self.tsc(module, bad), bad, TS_ERROR)
        self.assertNotIn("interface Symbol ", module)  # the global Symbol keeps its name


class ComposedPythonTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("mypy") is None:
            skip_or_fail("mypy", "the Python client tests",
                         "Install the dev extra (pip install -e '.[dev]').")
        super().setUpClass()

    def mypy(self, module: str, files: dict[str, str]) -> Any:
        return self.check([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", "mypy-cache"], {"composed_client.py": module, **files})

    def test_python_accepts_every_valid_value_and_refuses_what_the_server_refuses(self):
        spec = load_spec(COMPOSED, require_handlers=False)
        module = render_client(spec, "python")
        methods = {"place order": "place_order", "update contact": "update_contact",
                   "ship": "ship", "configure": "configure", "save category": "save_category",
                   "flash": "flash"}
        good = PY_GOOD + "".join(
            f"    await c.{method}({value!r})\n"
            for event, method in methods.items() for value in fakes(spec, event, False))
        good += "".join(f"    placed_{number}: Order = {value!r}\n    print(placed_{number})\n"
                        for number, value in enumerate(fakes(spec, "order placed", True)))
        self.assert_accepted(self.mypy(module, {"good.py": good}))
        head = ("from composed_client import ComposedClient\n\n\n"
                "async def main(c: ComposedClient) -> None:\n")
        bad = {f"{name}.py": f"{head}    {python}  # {REFUSED}\n"
               for name, (_, python) in REFUSALS.items()}
        self.assert_refused(self.mypy(module, bad), bad, PY_ERROR)

    def test_a_schema_named_like_a_typescript_global_keeps_its_name_in_python(self):
        module = render_client(load_spec(COMPOSED, require_handlers=False), "python")
        self.assertIn("class Symbol(TypedDict):\n    ticker: str\n", module)
        self.assertNotIn("Symbol2", module)
        good = ("from composed_client import ComposedClient, Symbol\n\n\n"
                "def use(c: ComposedClient) -> None:\n"
                "    quote: Symbol = {\"ticker\": \"X\"}\n"
                "    c.on_quote(lambda event: print(event[\"ticker\"], quote))\n")
        self.assert_accepted(self.mypy(module, {"good.py": good}))
