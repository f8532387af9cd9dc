"""The mock server (``asynction_mock``): the spec served with fake data, for front-ends to
build against before the handlers exist.

``server`` stands in for the spec's handlers and emits server events at an interval
(``asynction_mock``); ``fakes`` draws pools of values valid against each schema,
``fake_schema`` narrows a schema towards values that look like a real API's, and
``fake_words`` gives its strings words that read like data (Faker); ``variety`` makes
successive fakes differ (values in turn, new ids, times and words at each pick); ``urls``
serves the docs of ``python -m asynction_django mock`` at ``/docs``.
"""

from .fakes import FakeFactory, FakePool, Unfakeable
from .server import MockApp, MockEmitter, build_mock

__all__ = ["FakeFactory", "FakePool", "MockApp", "MockEmitter", "Unfakeable", "build_mock"]
