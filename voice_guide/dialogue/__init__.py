"""The dialogue core: commands and audio time in, typed events out; no I/O."""
