"""Audio in: files, raw stdin and the live microphone, as 16 kHz mono int16."""
