"""Browser tests for the web book (a package, so its conftest does not shadow tests/conftest.py)."""
