"""Typed clients generated from the spec, proven with the real compilers.

``tsc --strict`` (node_modules, from package.json's devDependencies) and ``mypy --strict``
accept correct use of the generated modules and refuse, on the right line, what the server
would refuse by shape: an unknown event, a missing or mistyped field, a wrong ack. The
example chat's page script is checked against its generated types too. Without Node's tsc
(``npm install``) or mypy the tests skip with a loud message, and fail in CI (``CI=true``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from asynction_django.clients import render_client
from asynction_django.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"
EXAMPLE_2 = ROOT / "example_project" / "asyncapi.yaml"
EXAMPLE_3 = ROOT / "example_project" / "asyncapi-3.yaml"
PAGE_SCRIPT = ROOT / "example_project" / "chat" / "static" / "chat" / "chat.js"
TUPLES_3 = Path(__file__).resolve().parent / "specs" / "v3" / "tuples.yaml"
TS_OPTIONS = ["--strict", "--noEmit", "--skipLibCheck", "--pretty", "false", "--target",
              "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--lib",
              "es2022,dom"]
REFUSED = "refused"  # marks the one line of a usage file that must not compile
TS_ERROR = re.compile(r"^(?P<file>[^\s(]+)\((?P<line>\d+),\d+\): error (?P<text>.*)$", re.M)
PY_ERROR = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): error: (?P<text>.*)$", re.M)

# Tuples (an optional item), rest arguments, a tuple ack, recursion, unions, consts,
# nullable values, index signatures, keys that are no identifier, a server event with an ack.
LAB = {
    "asyncapi": "2.6.0",
    "info": {"title": "Shapes lab", "version": "2.0"},
    "channels": {
        "/": {
            "publish": {"message": {"oneOf": [
                {"name": "move", "summary": "Move to x, y; the speed is optional.",
                 "payload": {"type": "array", "minItems": 2, "items": False, "prefixItems": [
                     {"type": "integer", "title": "x", "description": "From the left."},
                     {"type": "integer", "title": "y"},
                     {"type": "number", "title": "speed"}]},
                 "x-ack": {"args": {"type": "object", "required": ["ok"],
                                    "properties": {"ok": {"const": True}}}}},
                {"name": "tag", "summary": "A label, then any number of ids.",
                 "payload": {"type": "array", "minItems": 1, "items": {"type": "integer"},
                             "prefixItems": [{"type": "string", "title": "label"}]},
                 "x-ack": {"args": {"type": "array", "minItems": 2, "items": False,
                                    "prefixItems": [{"type": "integer", "title": "count"},
                                                    {"type": "string", "title": "label"}]}}},
                {"name": "save tree", "summary": "Store a tree.",
                 "payload": {"$ref": "#/components/schemas/Tree"},
                 "x-ack": {"args": {"$ref": "#/components/schemas/Tree"}}},
                {"name": "settings", "payload": {
                    "type": "object", "description": "Display settings.",
                    "required": ["theme", "font-size"],
                    "additionalProperties": {"type": "string"},
                    "properties": {
                        "theme": {"enum": ["light", "dark", None]},
                        "font-size": {"type": "integer", "description": "In points."},
                        "nickname": {"type": ["string", "null"]},
                        "legacy": {"type": "string", "nullable": True},
                        "shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"},
                                            {"$ref": "#/components/schemas/Square"}]},
                        "extras": {"type": "object",
                                   "additionalProperties": {"type": "number"}},
                        "class": {"type": "string"},
                    }}},
                {"name": "ping"},
            ]}},
            "subscribe": {"message": {"oneOf": [
                {"name": "tree changed", "payload": {"$ref": "#/components/schemas/Tree"}},
                {"name": "ask", "payload": {"type": "string"},
                 "x-ack": {"args": {"type": "boolean"}}},
                {"name": "scores", "payload": {"type": "array", "items": {"type": "integer"},
                                               "prefixItems": [{"type": "string"}]}},
                {"name": "old news", "deprecated": True,
                 "payload": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            ]}},
        },
        "/lab/v2": {"publish": {"message": {"name": "reset", "payload": {
            "type": "object", "properties": {"hard": {"type": "boolean"}}}}}},
    },
    "components": {"schemas": {
        "Tree": {"type": "object", "description": "A node and its children.",
                 "required": ["name"],
                 "properties": {"name": {"type": "string"},
                                "children": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Tree"}}}},
        "Circle": {"type": "object", "required": ["kind", "radius"],
                   "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}}},
        "Square": {"type": "object", "required": ["kind", "side"],
                   "properties": {"kind": {"const": "square"}, "side": {"type": "number"}}},
    }},
}

CHAT_TS_GOOD = """\
import { connectAdmin, connectExampleChat, type ChatMessage, type ErrorReply } from "./client";

const socket = connectExampleChat("http://localhost:8000", { transports: ["websocket"] });
socket.emit("join room", { room: "lobby" }, (reply) => {
  if ("error" in reply) return console.log(reply.error.errors.map((e) => e.pointer));
  const history: ChatMessage[] = reply.history;
  console.log(history.map((message) => message.text.toUpperCase()));
});
socket.emit("typing", "lobby", true);
socket.emit("list rooms", (rooms) => Array.isArray(rooms) && rooms.map((r) => r.length));
socket.on("new message", (message) => console.log(message.id + 1, message.author));
socket.on("typing", (event) => console.log(event.user, event.typing === true));
socket.on("announcement", (event) => console.log(event.level === "warning"));
const check = (reply: ErrorReply | { id: number; created: string }) => reply;
socket.emit("send message", { room: "lobby", text: "hi" }, check);
connectAdmin("").emit("broadcast", { text: "hi", level: "info" }, (reply) => {
  if (!("error" in reply)) console.log(reply.delivered === true);
});
async function later(): Promise<void> {
  const ack = await socket.emitWithAck("send message", { room: "lobby", text: "x" });
  if (!("error" in ack)) console.log(ack.created.length);
}
void later();
"""
CHAT_TS_BAD = {
    "wrong_event": 'socket.emit("send mesage", { room: "lobby", text: "hi" }, () => {}); '
                   '// refused',
    "missing_field": 'socket.emit("send message", { room: "lobby" }, () => {}); // refused',
    "wrong_ack": 'socket.emit("send message", { room: "lobby", text: "hi" }, '
                 '(reply: ErrorReply | { id: string; created: string }) => reply); // refused',
    "wrong_listener": 'socket.on("new message", (message: { id: string }) => message); '
                      '// refused',
    "wrong_tuple": 'socket.emit("typing", "lobby", "yes"); // refused',
}
CHAT_TS_BAD_HEAD = ('import { connectExampleChat, type ErrorReply } from "./client";\n\n'
                    'const socket = connectExampleChat("");\n')


def require_tool(missing: str | None) -> None:
    """Skip loudly on a developer's machine, fail in CI (as the browser tests do)."""
    if missing:
        if os.environ.get("CI") == "true":
            raise RuntimeError(missing)
        raise unittest.SkipTest(missing)


def errors_by_file(output: str, pattern: re.Pattern[str]) -> dict[str, dict[int, str]]:
    found: dict[str, dict[int, str]] = {}
    for match in pattern.finditer(output):
        lines = found.setdefault(Path(match["file"]).name, {})
        lines[int(match["line"])] = lines.get(int(match["line"]), "") + match["text"]
    return found


def refused_line(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if REFUSED in line)


class CompilerTestCase(SimpleTestCase):
    """Writes a generated module and usage files into a folder, runs a checker on them."""

    def folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="asynction-typed-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        return folder

    def check(self, command: list[str], files: dict[str, str], folder: Path | None = None
              ) -> subprocess.CompletedProcess[str]:
        folder = folder or self.folder()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return subprocess.run([*command, *files], cwd=folder, capture_output=True, text=True,
                              timeout=300)

    def assert_accepted(self, done: subprocess.CompletedProcess[str]) -> None:
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def assert_refused(self, done: subprocess.CompletedProcess[str], bad: dict[str, str],
                       pattern: re.Pattern[str]) -> None:
        """Each bad file fails on its marked line, and only there."""
        self.assertNotEqual(done.returncode, 0, done.stdout)
        errors = errors_by_file(done.stdout, pattern)
        for name, text in bad.items():
            with self.subTest(file=name):
                self.assertEqual(list(errors.get(name, {})), [refused_line(text)], done.stdout)


class TypeScriptClientTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        require_tool(None if TSC.exists() and shutil.which("node") else
                     f"NO TSC: the TypeScript client tests did not run. Install Node and run "
                     f"`npm install` in {ROOT} (it brings node_modules/.bin/tsc).")
        super().setUpClass()

    def tsc(self, module: str, files: dict[str, str], extra: list[str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        folder = self.folder()
        (folder / "node_modules").symlink_to(ROOT / "node_modules")  # socket.io-client
        (folder / "client.ts").write_text(module, encoding="utf-8")
        return self.check([str(TSC), *TS_OPTIONS, *(extra or []), "client.ts"], files, folder)

    def assert_example_api(self, path: Path) -> None:
        module = render_client(load_spec(path, require_handlers=False), "typescript")
        self.assert_accepted(self.tsc(module, {"good.ts": CHAT_TS_GOOD}))
        bad = {f"{name}.ts": CHAT_TS_BAD_HEAD + line + "\n" for name, line in CHAT_TS_BAD.items()}
        done = self.tsc(module, bad)
        self.assert_refused(done, bad, TS_ERROR)
        errors = errors_by_file(done.stdout, TS_ERROR)
        self.assertIn('"send mesage"', errors["wrong_event.ts"][4])
        self.assertIn("Property 'text' is missing", done.stdout)
        self.assertIn("'number' is not assignable to type 'string'", errors["wrong_ack.ts"][4]
                      + done.stdout)

    def test_the_example_api_on_asyncapi_2(self):
        self.assert_example_api(EXAMPLE_2)

    def test_the_example_api_on_asyncapi_3(self):
        self.assert_example_api(EXAMPLE_3)

    def test_tuples_rest_arguments_recursion_and_unions(self):
        module = render_client(load_spec(LAB, require_handlers=False), "typescript")
        good = """\
import { connectLabV2, connectShapesLab, type Settings, type Tree } from "./client";

const socket = connectShapesLab("http://localhost:8000");
socket.emit("move", 1, 2, (reply) => { if (!("error" in reply)) { const ok: true = reply.ok; } });
socket.emit("move", 1, 2, 0.5, (reply) => console.log(reply));
socket.emit("tag", "red", (...args) => console.log(args));
socket.emit("tag", "red", 1, 2, 3, (...args) => {
  if (args.length === 2) { const count: number = args[0]; const label: string = args[1]; }
});
const tree: Tree = { name: "root", children: [{ name: "leaf", children: [] }] };
socket.emit("save tree", tree, (reply) => {
  if (!("error" in reply)) console.log(reply.children?.[0]?.name);
});
const settings: Settings = { theme: null, "font-size": 12, nickname: null, legacy: "x",
  shape: { kind: "circle", radius: 2 }, extras: { a: 1 }, class: "c", anything: "goes" };
socket.emit("settings", settings);
socket.emit("ping");
socket.on("tree changed", (changed) => console.log(changed.name));
socket.on("ask", (question, ack) => ack(question.length > 2));
socket.on("scores", (name, ...points) => console.log(name, points.reduce((a, b) => a + b, 0)));
socket.on("old news", (news) => console.log(news));
connectLabV2("").emit("reset", {});
"""
        head = ('import { connectShapesLab } from "./client";\n\n'
                'const socket = connectShapesLab("");\n')
        bad = {f"{name}.ts": head + line + " // refused\n" for name, line in {
            "tuple_too_short": 'socket.emit("move", 1, (reply) => reply);',
            "tuple_item_type": 'socket.emit("move", 1, 2, "fast", (reply) => reply);',
            "rest_type": 'socket.emit("tag", "red", "blue", (...args) => args);',
            "recursion": 'socket.emit("save tree", { name: "x", children: [{ name: 1 }] }, '
                         '() => {});',
            "enum": 'socket.emit("settings", { theme: "blue", "font-size": 1 });',
            "union": 'socket.emit("settings", { theme: null, "font-size": 1, shape: { kind: '
                     '"circle", side: 1 } });',
            "server_ack": 'socket.on("ask", (question, ack) => ack("yes"));',
            "no_payload": 'socket.emit("ping", 1);',
        }.items()}
        self.assert_accepted(self.tsc(module, {"good.ts": good}))
        self.assert_refused(self.tsc(module, bad), bad, TS_ERROR)

    def test_socketio_tools_tuple_style_on_asyncapi_3(self):
        module = render_client(load_spec(TUPLES_3, require_handlers=False), "typescript")
        good = """\
import { connectTuples } from "./client";

const socket = connectTuples("");
socket.emit("pair", 1, "a", (...args) => console.log(args));
socket.emit("count");
socket.emit("count", "a", "b", "c");
socket.emit("join", "lobby");
socket.on("news", (item) => console.log(item?.text));
"""
        bad = {"extra.ts": 'import { connectTuples } from "./client";\n'
                           'connectTuples("").emit("join", "lobby", "more"); // refused\n',
               "closed.ts": 'import { connectTuples } from "./client";\n'
                            'connectTuples("").emit("count", 1); // refused\n'}
        self.assert_accepted(self.tsc(module, {"good.ts": good}))
        self.assert_refused(self.tsc(module, bad), bad, TS_ERROR)

    def test_the_example_page_script_is_checked_against_the_generated_types(self):
        globals_ts = ('import type { io as connect } from "socket.io-client";\n\n'
                      "declare global {\n  /** socket.io.min.js, loaded before the page's "
                      "script. */\n  const io: typeof connect;\n}\n")
        options = ["--checkJs", "--allowJs"]
        page = {"chat.js": PAGE_SCRIPT.read_text(), "globals.d.ts": globals_ts}
        module = render_client(load_spec(EXAMPLE_2, require_handlers=False), "typescript")
        self.assert_accepted(self.tsc(module, page, options))
        # The spec renames a field the page reads: the page no longer compiles.
        document = yaml.safe_load(EXAMPLE_2.read_text())
        message = document["components"]["schemas"]["ChatMessage"]
        message["properties"]["body"] = message["properties"].pop("text")
        message["required"] = ["id", "room", "author", "body", "created"]
        changed = render_client(load_spec(document, require_handlers=False), "typescript")
        done = self.tsc(changed, page, options)
        self.assertNotEqual(done.returncode, 0)
        line = next(number for number, text in enumerate(page["chat.js"].splitlines(), 1)
                    if "createTextNode(message.text)" in text)
        self.assertIn("Property 'text' does not exist on type 'ChatMessage'",
                      errors_by_file(done.stdout, TS_ERROR)["chat.js"][line])

    def test_the_generated_shape_of_an_event(self):
        module = render_client(load_spec(EXAMPLE_2, require_handlers=False), "typescript")
        self.assertIn('import { io, type ManagerOptions, type Socket, type SocketOptions } '
                      'from "socket.io-client";', module)
        self.assertIn('  /** Say something in a room; the ack carries the stored message\'s id. */'
                      '\n  "send message": (payload: SendMessage, ack: (response: SendMessageAck '
                      '| ErrorReply) => void) => void;', module)
        self.assertIn("  typing: (room: Room, arg2: boolean) => void;", module)
        self.assertIn('  "list rooms": (ack: (response: Room[] | ErrorReply) => void) => void;',
                      module)
        self.assertIn("export function connectExampleChat(\n  url: string,\n  opts?: "
                      "Partial<ManagerOptions & SocketOptions>,\n): ExampleChatSocket {", module)
        self.assertIn('  level: "info" | "warning";', module)
        lab = render_client(load_spec(LAB, require_handlers=False), "typescript")
        self.assertIn("/** A node and its children. */\nexport interface Tree {\n  name: string;"
                      "\n  children?: Tree[];\n}", lab)
        self.assertIn('  /** In points. */\n  "font-size": number;', lab)
        self.assertIn("  /** @deprecated */\n", lab)
        self.assertIn("   * Move to x, y; the speed is optional.\n   * @param x From the left.\n"
                      "   */\n  move: (\n    ...args:\n      | [x: number, y: number, ack: ", lab)
        self.assertIn("export interface ShapesLabClientToServerEvents {", lab)


class PythonClientTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        require_tool(None if importlib.util.find_spec("mypy") else
                     "NO MYPY: the Python client tests did not run. Install the dev extra "
                     "(pip install -e '.[dev]').")
        super().setUpClass()

    def mypy(self, module: str, name: str, files: dict[str, str]
             ) -> subprocess.CompletedProcess[str]:
        return self.check([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", "mypy-cache"], {f"{name}.py": module, **files})

    def test_the_example_api(self):
        module = render_client(load_spec(EXAMPLE_2, require_handlers=False), "python")
        good = """\
from __future__ import annotations

from chat_client import Announcement, ChatMessage, SendMessageAck, connect_example_chat


async def main(url: str) -> None:
    chat = await connect_example_chat(url, headers={"Cookie": "sessionid=x"})
    joined = await chat.join_room({"room": "lobby"})
    texts: list[str] = [message["text"] for message in joined["history"]]
    ack: SendMessageAck = await chat.send_message({"room": "lobby", "text": "hi"}, timeout=5)
    identifier: int = ack["id"]
    await chat.typing("lobby", True)
    rooms: list[str] = await chat.list_rooms()

    def show(message: ChatMessage) -> None:
        print(message["author"], texts, identifier, rooms)

    async def note(event: Announcement) -> None:
        print(event["level"] == "warning")

    chat.on_new_message(show)
    chat.on_announcement(note)
    chat.on_typing(lambda event: print(event["user"], event["typing"]))
    await chat.disconnect()
"""
        head = ("from chat_client import ExampleChatClient\n\n\n"
                "async def main(chat: ExampleChatClient) -> None:\n")
        bad = {f"{name}.py": head + f"    {line}  # refused\n" for name, line in {
            "wrong_event": 'await chat.send_mesage({"room": "lobby", "text": "hi"})',
            "wrong_field_type": 'await chat.send_message({"room": "lobby", "text": 1})',
            "missing_key": 'await chat.send_message({"room": "lobby"})',
            "wrong_ack_use": 'created: int = (await chat.send_message({"room": "l", "text": "x"}))'
                             '["created"]',
            "wrong_handler": 'chat.on_new_message(lambda message: message["txt"])',
        }.items()}
        self.assert_accepted(self.mypy(module, "chat_client", {"good.py": good}))
        done = self.mypy(module, "chat_client", bad)
        self.assert_refused(done, bad, PY_ERROR)
        self.assertIn('"ExampleChatClient" has no attribute "send_mesage"', done.stdout)
        self.assertIn('Missing key "text" for TypedDict "SendMessage"', done.stdout)

    def test_tuples_rest_arguments_recursion_and_unions(self):
        module = render_client(load_spec(LAB, require_handlers=False), "python")
        good = """\
from __future__ import annotations

from lab_client import LabV2Client, MoveAck, Settings, Tree, connect_shapes_lab


async def main() -> None:
    lab = await connect_shapes_lab("http://localhost:8000", transports=["websocket"])
    ack: MoveAck = await lab.move(1, 2)
    await lab.move(1, 2, 0.5, timeout=5)
    count, label = await lab.tag("red", 1, 2, 3)
    tree: Tree = {"name": "root", "children": [{"name": "leaf"}]}
    saved = await lab.save_tree(tree)
    names = [child["name"] for child in saved.get("children", [])]
    settings: Settings = {"theme": None, "font-size": 12,
                          "shape": {"kind": "circle", "radius": 2.0}}
    await lab.settings(settings)
    await lab.ping()

    async def ask(question: str) -> bool:
        return len(question) > 2

    def scores(name: str = "", *points: int) -> None:
        print(name, sum(points), ack["ok"], count + len(label), names)

    lab.on_tree_changed(lambda changed: print(changed["name"]))
    lab.on_ask(ask)
    lab.on_scores(scores)
    lab.on_old_news(lambda news: None)
    await LabV2Client(lab.client).reset({})
"""
        head = ("from lab_client import ShapesLabClient\n\n\n"
                "async def main(lab: ShapesLabClient) -> None:\n")
        bad = {f"{name}.py": head + f"    {line}  # refused\n" for name, line in {
            "tuple_item_type": 'await lab.move("1", 2)',
            "rest_type": 'await lab.tag("red", "blue")',
            "recursion": 'await lab.save_tree({"name": "x", "children": [{"name": 1}]})',
            "enum": 'await lab.settings({"theme": "blue", "font-size": 1})',
            "tuple_ack": 'count: str = (await lab.tag("red"))[0]',
            "server_ack": 'lab.on_ask(lambda question: "yes")',
        }.items()}
        self.assert_accepted(self.mypy(module, "lab_client", {"good.py": good}))
        self.assert_refused(self.mypy(module, "lab_client", bad), bad, PY_ERROR)

    def test_generated_modules_import(self):
        for source in (EXAMPLE_2, EXAMPLE_3, TUPLES_3, LAB):
            with self.subTest(source=str(source)[:40]):
                path = self.folder() / "generated_client.py"
                path.write_text(render_client(load_spec(source, require_handlers=False), "python"))
                spec = importlib.util.spec_from_file_location("generated_client", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self.assertTrue(issubclass(module.ServerError, Exception))

    def test_the_generated_shape_of_an_event(self):
        module = render_client(load_spec(EXAMPLE_2, require_handlers=False), "python")
        self.assertIn("class SendMessage(TypedDict):\n    room: Room\n    text: str\n", module)
        self.assertIn("    async def send_message(self, payload: SendMessage, *, timeout: float "
                      "= 60) -> SendMessageAck:", module)
        self.assertIn("self.client.call(\n            \"send message\", (payload,), "
                      "namespace=self.namespace, timeout=timeout)", module)
        self.assertIn("    def on_new_message(self, handler: Callable[[ChatMessage], "
                      "Awaitable[None] | None]) -> None:", module)
        self.assertIn('    level: Literal["info", "warning"]', module)
        lab = render_client(load_spec(LAB, require_handlers=False), "python")
        self.assertIn("    children: NotRequired[list[Tree]]", lab)
        self.assertIn('    "font-size": "int",', lab)
        self.assertIn('        """Move to x, y; the speed is optional.\n\n        ``x``: From the '
                      'left.\n', lab)


class ExportCommandTests(SimpleTestCase):
    def export(self, *args: str) -> str:
        out = StringIO()
        call_command("asynction_export", str(EXAMPLE_2), *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_formats_and_output(self):
        spec = load_spec(EXAMPLE_2, require_handlers=False)
        for language in ("typescript", "python"):
            with self.subTest(language=language):
                self.assertEqual(self.export("--format", language),
                                 render_client(spec, language, "/socket.io/"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "client.ts"
            self.export("--format", "typescript", "--output", str(path))
            self.assertIn("export function connectAdmin(", path.read_text())

    def test_to_applies_to_documents_only(self):
        with self.assertRaisesMessage(CommandError, "--to applies to the json and yaml"):
            self.export("--format", "python", "--to", "3.0")

    def test_outside_a_project(self):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        done = subprocess.run([sys.executable, "-m", "asynction_django", "export",
                               str(EXAMPLE_3), "--format", "typescript"], capture_output=True,
                              text=True, cwd=tempfile.gettempdir(), env=env, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("export type AdminSocket = Socket<AdminServerToClientEvents, "
                      "AdminClientToServerEvents>;", done.stdout)
        self.assertIn("(AsyncAPI 3.0.0)", done.stdout)
