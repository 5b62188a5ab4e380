"""The plugin's permission check, made when it asks for user profiles (`RootUrl`).

Part of its default "Permissions": some routes are opened by a profile's permissions (or by
none at all) before any study is asked about (AUTHZ-CONTRACT.md §4).
"""

import re

import filter_routes
import filter_token_service

# (method, route, permissions, any one of which is enough); "" needs none: those routes are
# open to anyone once profiles are asked for.
PERMISSIONS = tuple(
    (method, re.compile(pattern), frozenset(needed.split("|")))
    for method, pattern, needed in (
        ("post", r"/auth/tokens/decode", ""),
        ("post", r"/tools/lookup", ""),
        ("get", r"/tools/generate-uid", ""),
        ("post", r"/tools/find", "all|view"),
        ("get", r"/(patients|studies|series|instances)/[a-f0-9-]+", "all|view"),
        (
            "get",
            r"/(patients|studies|series|instances)/[a-f0-9-]+/(studies|study|series|instances)",
            "all|view",
        ),
        ("put", r"/auth/tokens/(viewer-instant-link|meddream-instant-link)", "all|view"),
        ("put", r"/auth/tokens/download-instant-link", "all|download"),
        ("put", r"/auth/tokens/[a-z]+-viewer-publication", "all|share"),
        ("delete", r"/(patients|studies|series|instances)/[a-f0-9-]+", "all|delete"),
    )
)


def _required_permissions(verb, uri):
    """The permissions that open this route (any one is enough), or None if none does."""
    for method, pattern, needed in PERMISSIONS:
        if method == verb and pattern.fullmatch(uri):
            return needed
    return None


def permission_decision(config, verb, uri, get, tokens):
    """True (granted by permissions), False (denied by labels) or None (ask about the study)."""
    profiles = [filter_token_service.get_profile(config, token) for token in tokens] or [
        filter_token_service.get_profile(config, None)
    ]
    needed = _required_permissions(verb, uri)
    if needed is None:
        return None
    if "" in needed:
        return True
    for profile in profiles:
        if profile is None or not needed & set(profile["permissions"]):
            continue
        if "*" in profile["authorized-labels"]:
            return True
        # Orthanc 1.10 has no labels: a profile limited to some labels opens no study, and
        # no list of resources; a system route needs the permission only.
        names_resources = filter_routes.LISTS_OF_RESOURCES.fullmatch(uri) or (
            filter_routes.study_of_request(uri, get, config["mode"])
        )
        return not names_resources
    return None
