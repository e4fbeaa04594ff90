"""The ears: segmenter -> recognizer -> command decision (what was said, if anything)."""
