"""Enrollment: learn the therapist's own voice as command templates (a private profile)."""
