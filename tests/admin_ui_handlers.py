"""The Admin UI tests' project: a spec whose handlers are here, and the apps a live server
with the Admin UI installs (its URLconf is :mod:`tests.admin_ui_urls`)."""

from asynction_django import aemit, get_server

SPEC = {
    "asyncapi": "2.6.0",
    "info": {"title": "Admin UI fixture", "version": "1.0"},
    "channels": {
        "/": {
            "publish": {"message": {"oneOf": [
                {"name": "join", "x-handler": "tests.admin_ui_handlers.join",
                 "payload": {"type": "string"}, "x-ack": {"args": {"type": "boolean"}}},
                {"name": "shout", "x-handler": "tests.admin_ui_handlers.shout",
                 "payload": {"type": "string"}},
            ]}},
            "subscribe": {"message": {"name": "news", "payload": {"type": "string"}}},
        },
        "/chat": {
            "publish": {"message": {"name": "shout", "x-handler": "tests.admin_ui_handlers.shout",
                                    "payload": {"type": "string"}}},
        },
    },
}
FAST = {"server_stats_interval": 0.05}
INSTALLED_APPS = ["daphne", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.staticfiles", "channels",
                  "asynction_django"]


async def join(sid, room):
    await get_server().enter_room(sid, room, namespace="/")
    return True


async def shout(sid, text):
    await aemit("news", text)
