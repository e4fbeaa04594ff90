"""Scripted audio: a whole session played as a microphone signal."""
