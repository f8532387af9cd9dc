"""Handlers are called alike, sync or async, with the arguments they declare."""

from __future__ import annotations

import threading

from asgiref.sync import async_to_sync
from django.test import SimpleTestCase

from asynction_django.handlers import Handler, HandlerImportError, import_callable


class HandlerTests(SimpleTestCase):
    def call(self, function, *args, max_args=None):
        return async_to_sync(Handler(function, "test", max_args))(*args)

    def test_sync_handlers_run_off_the_event_loop_thread(self):
        async def threads():
            loop = threading.get_ident()
            sync = await Handler(lambda: threading.get_ident(), "sync")()

            async def coroutine():
                return threading.get_ident()

            class AsyncObject:
                async def __call__(self):
                    return threading.get_ident()

            return loop, sync, await Handler(coroutine, "async")(), await Handler(
                AsyncObject(), "object")()

        loop, sync, coroutine, callable_object = async_to_sync(threads)()
        self.assertNotEqual(sync, loop)
        self.assertEqual(coroutine, loop)
        self.assertEqual(callable_object, loop)

    def test_optional_trailing_arguments_only_when_declared(self):
        self.assertEqual(self.call(lambda sid: (sid,), "s", {}, None, max_args=3), ("s",))
        self.assertEqual(self.call(lambda sid, environ: (sid, environ), "s", {}, None,
                                   max_args=3), ("s", {}))
        self.assertEqual(self.call(lambda *args: args, "s", {}, None, max_args=3),
                         ("s", {}, None))

    def test_import_errors_say_what_failed(self):
        with self.assertRaisesMessage(HandlerImportError, "cannot import 'tests.nope.x'"):
            import_callable("tests.nope.x")
        with self.assertRaisesMessage(HandlerImportError, "is not callable"):
            import_callable("tests.settings.SECRET_KEY")
