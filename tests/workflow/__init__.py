"""workflow tests."""
