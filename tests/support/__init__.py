"""Shared helpers for milei-watch tests: external tools, HTML validation, a local HTTP server, axe."""
