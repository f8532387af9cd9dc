"""asynction.W004: pages that send anonymous visitors to LOGIN_URL need it to lead somewhere.

A new project (``django-admin startproject``) wires no login view: with ``DEBUG`` off the
docs are staff-only, and they (and the Admin UI) would send everyone to a 404.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.test import SimpleTestCase, override_settings
from django.urls import include, path

from asynction_django.checks import check_login_url

SPEC = Path(__file__).resolve().parent / "specs" / "echo.yaml"


def login(request):
    return HttpResponse("log in here")


# This module is also the URLconf of the tests below: a login view, and Django's auth URLs
# under /accounts/ only where a test says so (AUTH_URLS).
urlpatterns = [path("sign-in/", login, name="sign-in")]


class AuthUrls:
    urlpatterns = [path("accounts/", include("django.contrib.auth.urls"))]


AUTH_URLS = f"{__name__}.AuthUrls"
HINT = 'path("accounts/", include("django.contrib.auth.urls"))'


@override_settings(ROOT_URLCONF=__name__, LOGIN_URL="/accounts/login/", DEBUG=False,
                   ASYNCTION_SPEC=SPEC)
class LoginUrlCheckTests(SimpleTestCase):
    def ids(self):
        return [message.id for message in check_login_url()]

    def test_staff_only_docs_with_a_login_url_that_is_a_404(self):
        (warning,) = check_login_url()
        self.assertEqual(warning.id, "asynction.W004")
        self.assertEqual(warning.msg, "anonymous visitors of the API docs are sent to LOGIN_URL, "
                                      "but /accounts/login/ is not in the URLconf (a 404)")
        self.assertIn(HINT, warning.hint)
        self.assertIn('LOGIN_URL = "admin:login"', warning.hint)

    def test_the_admin_ui_needs_a_login_page_even_with_open_docs(self):
        with override_settings(ASYNCTION_DOCS_ACCESS="open", ASYNCTION_ADMIN_UI=True):
            (warning,) = check_login_url()
        self.assertIn("anonymous visitors of the Socket.IO Admin UI are sent", warning.msg)
        with override_settings(ASYNCTION_DOCS_ACCESS="login", ASYNCTION_ADMIN_UI=True):
            (warning,) = check_login_url()
        self.assertIn("the API docs and the Socket.IO Admin UI", warning.msg)

    def test_a_url_name_that_does_not_exist(self):
        with override_settings(LOGIN_URL="admin:login"):
            (warning,) = check_login_url()
        self.assertIn("'admin:login' is neither a URL name of the URLconf nor a path",
                      warning.msg)

    def test_silent_when_the_login_url_resolves(self):
        for login_url in ("sign-in", "/sign-in/", f"{AUTH_URLS}"):
            overrides = ({"ROOT_URLCONF": AUTH_URLS, "LOGIN_URL": "/accounts/login/"}
                         if login_url == AUTH_URLS else {"LOGIN_URL": login_url})
            with self.subTest(login_url=login_url), override_settings(**overrides):
                self.assertEqual(self.ids(), [])
        with override_settings(ROOT_URLCONF=AUTH_URLS, LOGIN_URL="login"):  # its URL name
            self.assertEqual(self.ids(), [])

    def test_silent_when_nobody_is_sent_to_log_in(self):
        for overrides in ({"ASYNCTION_DOCS_ACCESS": "open"}, {"DEBUG": True},
                          {"ASYNCTION_DOCS": False},
                          {"LOGIN_URL": "https://sso.example.com/login"}):  # another site
            with self.subTest(overrides=overrides), override_settings(**overrides):
                self.assertEqual(self.ids(), [])


ASYNCTION_SETTINGS = """
INSTALLED_APPS = ["daphne", *INSTALLED_APPS, "channels", "asynction_django"]
ASGI_APPLICATION = "mysite.asgi.application"
ASYNCTION_SPEC = {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"},
                  "channels": {"/": {"subscribe": {"message": {"name": "news"}}}}}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
"""


class FreshProjectTests(SimpleTestCase):
    def test_manage_py_check_in_a_new_project_says_how_to_log_in(self):
        with tempfile.TemporaryDirectory() as folder:
            site = Path(folder)
            env = {name: value for name, value in os.environ.items()
                   if name != "DJANGO_SETTINGS_MODULE"}

            def check() -> str:
                done = subprocess.run([sys.executable, "manage.py", "check"], cwd=site / "mysite",
                                      capture_output=True, text=True, timeout=120, env=env)
                self.assertEqual(done.returncode, 0, done.stderr)
                return done.stderr + done.stdout

            subprocess.run([sys.executable, "-m", "django", "startproject", "mysite"], cwd=site,
                           check=True, timeout=60, env=env)
            settings = site / "mysite" / "mysite" / "settings.py"
            settings.write_text(settings.read_text() + ASYNCTION_SETTINGS)
            output = check()
            self.assertIn("(asynction.W004) anonymous visitors of the API docs are sent to "
                          "LOGIN_URL, but /accounts/login/ is not in the URLconf (a 404)", output)
            self.assertIn(HINT, output)
            # The README's Quick start: log in through the admin.
            settings.write_text(settings.read_text() + 'LOGIN_URL = "admin:login"\n')
            self.assertNotIn("asynction.W004", check())
