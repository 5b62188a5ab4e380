"""Validation of `next` redirect targets."""

from urllib.parse import urlsplit


def safe_next_path(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None."""
    if not target or len(target) > 2000:
        return None
    # Browsers treat backslashes like slashes: "/\\evil.example" would leave the site.
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
