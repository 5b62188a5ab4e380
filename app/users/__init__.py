"""Clinician and admin accounts."""
