"""Shipped data: protocols and phrases, sounds, command templates."""
