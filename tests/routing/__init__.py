"""Routing core tests."""
