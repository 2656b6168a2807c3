"""Dispatch domain tests."""
