"""The session record: an append-only log written as it happens, read back, resumed."""
