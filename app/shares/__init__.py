"""Shares of studies, their secrets, and their audit trail."""
