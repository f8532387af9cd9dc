def only_with_header(request):
    """A custom ASYNCTION_DOCS_ACCESS rule for the tests."""
    return request.headers.get("X-Docs") == "please"
