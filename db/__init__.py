"""Catalyst's schema, engine set-up and Alembic migrations."""
