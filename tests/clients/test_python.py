"""The generated Python client, proven with the real type checker.

``mypy --strict`` accepts correct use of the generated module and refuses, on the right
line, what the server would refuse by shape. Without mypy the tests skip with a loud
message, and fail in CI (``CI=true``).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from asynction_django.clients import render_client
from asynction_django.spec import load_spec
from tests.clients.compilers import (
    EXAMPLE_2,
    EXAMPLE_3,
    LAB,
    TUPLES_3,
    CompilerTestCase,
)
from tests.support import skip_or_fail

PY_ERROR = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): error: (?P<text>.*)$", re.M)


class PythonClientTests(CompilerTestCase):
    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("mypy") is None:
            skip_or_fail("mypy", "the Python client tests",
                         "Install the dev extra (pip install -e '.[dev]').")
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
