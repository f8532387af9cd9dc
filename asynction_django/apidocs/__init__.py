"""The API's docs and playground, prepared once per server.

``page`` builds what the docs page shows from the normalised spec, ``schema_rows`` flattens
a schema into a table's rows, ``examples`` picks or makes one readable value per schema
(the mock server's fakes start from it too), ``details`` what the page says besides schemas
(contact, licence, operation ids, what each security scheme asks a client to send), and
``views`` serves the page, the resolved document and the typed clients (imported by
``asynction_django.urls``, not here: they need the running server).
"""

from .examples import example_of, given_values, message_examples
from .page import ApiDocs, build_docs
from .schema_rows import SchemaRow, SchemaRows

__all__ = ["ApiDocs", "SchemaRow", "SchemaRows", "build_docs", "example_of", "given_values",
           "message_examples"]
