"""The generated TypeScript client, proven with the real compiler.

``tsc --strict`` (node_modules, from package.json's devDependencies) accepts correct use of
the generated module and refuses, on the right line, what the server would refuse by
shape: an unknown event, a missing or mistyped field, a wrong ack. The example chat's page
script is checked against its generated types too. Without Node's tsc (``npm install``)
the tests skip with a loud message, and fail in CI (``CI=true``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from asynction_django.clients import render_client
from asynction_django.spec import load_spec
from tests.clients.compilers import (
    EXAMPLE_2,
    EXAMPLE_3,
    LAB,
    TUPLES_3,
    CompilerTestCase,
    errors_by_file,
)
from tests.support import ROOT, skip_or_fail

TSC = ROOT / "node_modules" / ".bin" / "tsc"
PAGE_SCRIPT = ROOT / "example_project" / "chat" / "static" / "chat" / "chat.js"
TS_OPTIONS = ["--strict", "--noEmit", "--skipLibCheck", "--pretty", "false", "--target",
              "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--lib",
              "es2022,dom"]
TS_ERROR = re.compile(r"^(?P<file>[^\s(]+)\((?P<line>\d+),\d+\): error (?P<text>.*)$", re.M)
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


class TypeScriptClientTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        if not (TSC.exists() and shutil.which("node")):
            skip_or_fail("tsc", "the TypeScript client tests", f"Install Node and run "
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
        self.assertIn('  /**\n   * Say something in a room; the ack carries the stored '
                      'message\'s id.\n   *\n', module)  # its description, then a paragraph
        self.assertIn('   */\n  "send message": (payload: SendMessage, ack: (response: '
                      'SendMessageAck | ErrorReply) => void) => void;', module)
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
