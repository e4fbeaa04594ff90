"""The guide's voice: cues to speech, played on a stream that can be cut off at once."""
