"""API keys of integrations (a RIS, an EHR): made and revoked by admins, stored hashed."""
