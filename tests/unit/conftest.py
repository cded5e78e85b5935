"""Fixtures of the core's unit tests."""

import pytest


@pytest.fixture
def english():
    """Messages and labels in English for one test, German again afterwards."""
    from sozialraum.core import errors

    errors.set_language("en")
    yield
    errors.set_language("de")
