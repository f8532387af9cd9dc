"""How long the docs page takes for a large spec: ``python bench/docs_render.py``.

Builds a document the size of the largest real ones (60 events with nested payloads
and acks, in three namespaces), then times building the docs model once and
rendering the page, as a request does.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS_PER_NAMESPACE = 20


def large_spec() -> dict:
    item = {
        "type": "object",
        "required": ["id", "name", "tags"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}},
            "owner": {"type": "object", "properties": {
                "email": {"type": "string", "format": "email"},
                "since": {"type": "string", "format": "date-time"},
            }},
        },
    }
    channels = {}
    for namespace in ("/", "/team", "/admin"):
        messages = [{
            "name": f"event {index}",
            "summary": f"Event number {index}.",
            "x-handler": "builtins.print",
            "payload": item,
            "x-ack": {"args": item},
        } for index in range(EVENTS_PER_NAMESPACE)]
        channels[namespace] = {
            "publish": {"message": {"oneOf": messages[: EVENTS_PER_NAMESPACE // 2]}},
            "subscribe": {"message": {"oneOf": messages[EVENTS_PER_NAMESPACE // 2:]}},
        }
    return {"asyncapi": "2.6.0", "info": {"title": "Large", "version": "1"},
            "channels": channels}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.test import RequestFactory, override_settings

    from asynction_django.apidocs import views
    from asynction_django.runtime import get_server, reset_server

    with override_settings(ASYNCTION_SPEC=large_spec(), ASYNCTION_DOCS_ACCESS="open",
                           ROOT_URLCONF="tests.docs_urls"):
        reset_server()
        get_server()  # start-up: not part of the docs' cost
        started = time.perf_counter()
        docs = views.api_docs()
        built = time.perf_counter() - started
        renders = []
        for _ in range(20):
            request = RequestFactory().get("/team/docs")
            started = time.perf_counter()
            response = views.docs(request)
            renders.append(time.perf_counter() - started)
        events = sum(len(ns.received) + len(ns.sent) for ns in docs.namespaces)
        print(f"| events | docs model (once) | page render p50 | page render max | page size |\n"
              f"|---|---|---|---|---|\n"
              f"| {events} | {built * 1000:.1f} ms | {statistics.median(renders) * 1000:.1f} ms"
              f" | {max(renders) * 1000:.1f} ms | {len(response.content) // 1024} KiB |")


if __name__ == "__main__":
    main()
