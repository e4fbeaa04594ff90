"""voice-guide: an offline, hands-free voice guide for soft-tissue techniques."""

__version__ = "0.1.0"
