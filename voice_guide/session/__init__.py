"""A session: the dialogue wired to what hears and shows, guarded against its echo."""
