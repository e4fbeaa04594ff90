"""Shipped command templates (speech-embedding frames), one file per language: see templates.py."""
