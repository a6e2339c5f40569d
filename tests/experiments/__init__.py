"""experiments tests."""
