"""Officine: the partnership platform for EU cohesion policy."""
