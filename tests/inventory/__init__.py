"""Inventory domain tests."""
