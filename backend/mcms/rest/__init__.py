"""Helpers for the REST compatibility routes (the add-in and older scripts)."""
