"""Hypothesis over every form, with a valid CSRF token so each post reaches validation."""
