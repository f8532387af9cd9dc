"""asynction_scaffold writes the security functions a spec names (issue #25)."""

from __future__ import annotations

import importlib
import inspect
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from asynction_django.runtime import reset_server
from asynction_django.testing import ConnectionRefused, SocketIOTestCase

SPEC = Path(__file__).resolve().parent / "specs" / "scaffold_security.yaml"
INFO_FUNCTIONS = {  # what the spec names -> the parameters the server calls it with
    "basic_info": ["username", "password", "required_scopes"],  # x-basicInfoFunc
    "bearer_info": ["token", "required_scopes"],  # x-bearerInfoFunc
    "api_key_info": ["key", "required_scopes"],  # x-apiKeyInfoFunc (httpApiKey and apiKey)
    "token_info": ["token"],  # x-tokenInfoFunc (oauth2 and openIdConnect)
}


@override_settings(ASYNCTION_SPEC=SPEC)
class ScaffoldSecurityTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        self.base = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.base)
        sys.path.insert(0, str(self.base))
        self.addCleanup(sys.path.remove, str(self.base))
        self.addCleanup(self.forget)
        self.addCleanup(reset_server)

    def forget(self):
        for name in [name for name in sys.modules if name.startswith("scaffolded_security")]:
            del sys.modules[name]
        importlib.invalidate_caches()

    def check(self):
        """``manage.py check``, its report captured (not printed among the test dots)."""
        reset_server()
        importlib.invalidate_caches()
        call_command("check", stdout=StringIO(), stderr=StringIO())

    def test_check_passes_once_scaffolded_and_the_stubs_refuse_everyone(self):
        with self.assertRaises(SystemCheckError) as failed:
            self.check()
        self.assertIn("cannot import 'scaffolded_security.auth.basic_info'", str(failed.exception))
        # The hint says what to do: scaffold them, or check the document alone.
        self.assertIn("`manage.py asynction_scaffold` writes stubs of the functions the "
                      "document names, and `manage.py asynction_validate --spec-only` checks "
                      "the document without them", str(failed.exception))
        out = StringIO()
        call_command("asynction_scaffold", "--base-dir", str(self.base), stdout=out)
        auth_path = self.base / "scaffolded_security" / "auth.py"
        self.assertIn(f"created {auth_path}: basic_info, bearer_info, api_key_info, token_info, "
                      "scopes_granted", out.getvalue())
        self.assertNotIn("django_session_user", out.getvalue())  # a built-in: left as it is
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                               "E,F,W,I", "--line-length", "100", str(self.base)],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout)

        self.check()  # raises SystemCheckError on any problem

        auth = importlib.import_module("scaffolded_security.auth")
        for name, parameters in INFO_FUNCTIONS.items():
            function = getattr(auth, name)
            self.assertEqual(list(inspect.signature(function).parameters), parameters)
            self.assertIsNone(function(*["x"] * len(parameters)))  # refused
        self.assertIn("Scheme 'headerKey' (httpApiKey): header X-API-Key",
                      auth.api_key_info.__doc__)
        self.assertIn("Scheme 'userKey' (apiKey)", auth.api_key_info.__doc__)
        self.assertIn("Scheme 'basic' (http basic)", auth.basic_info.__doc__)
        self.assertIn("TODO", inspect.getsource(auth.basic_info))
        self.assertEqual(list(inspect.signature(auth.scopes_granted).parameters),
                         ["required", "granted", "info"])
        self.assertIs(auth.scopes_granted(["read"], ["read"], info={"scopes": ["read"]}), False)

        for credentials in ({"auth": {"token": "t"}}, {"auth": {"X-API-Key": "k"}},
                            {"headers": {"Authorization": "Basic YW5uOnB3"}}):
            with self.subTest(credentials=credentials):
                with self.assertRaises(ConnectionRefused) as refused:
                    self.socketio_client("/", **credentials)
                self.assertEqual(refused.exception.data, {"message": "Unauthorized"})

    def test_existing_security_functions_are_left_alone(self):
        package = self.base / "scaffolded_security"
        package.mkdir()
        (package / "__init__.py").touch()
        (package / "auth.py").write_text('def token_info(token):\n    return {"user": token}\n')
        out = StringIO()
        call_command("asynction_scaffold", "--base-dir", str(self.base), stdout=out)
        self.assertIn("left alone in", out.getvalue())
        self.assertIn("(already defined): token_info", out.getvalue())
        written = (package / "auth.py").read_text()
        self.assertTrue(written.startswith('def token_info(token):\n    return {"user": token}\n'))
        self.assertEqual(written.count("def token_info"), 1)
        self.check()
