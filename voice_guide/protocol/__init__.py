"""Protocols as data: model, loading, includes, translations, phrases, registry."""
