from django.test.runner import DiscoverRunner


class Runner(DiscoverRunner):
    """Discovers only ``tests/``: the example project's tests need its own settings."""

    def build_suite(self, test_labels=None, **kwargs):
        return super().build_suite(test_labels or ["tests"], **kwargs)
