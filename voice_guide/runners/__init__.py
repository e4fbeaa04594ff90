"""The ways to drive a session: typed commands, the live microphone, scripted audio."""
