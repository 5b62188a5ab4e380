"""The filter's settings: Orthanc's `StudyShareAuthz` section, read as the plugin reads its own.

Standard library only and no `orthanc`: StudyShare imports it too (`MODES`).
"""

import base64

# "faithful": like the real plugin 0.11.4, leaks included; "strict": the older stand-in.
MODES = ("faithful", "strict")
HEADER, ARGUMENT = 0, 1  # the plugin's TokenType order: header tokens are tried first
# The plugin's defaults when StandardConfigurations names a viewer (Plugin.cpp).
STANDARD_CONFIGURATIONS = {
    "osimis-web-viewer": {
        "folders": ["/osimis-viewer/app/", "/osimis-viewer/languages/"],
        "resources": ["/osimis-viewer/config.js"],
        "tokens": [(HEADER, "token"), (ARGUMENT, "token")],
    },
    "stone-webviewer": {
        "folders": ["/stone-webviewer/"],
        # "for Stone to check that Orthanc is the server providing the data"
        "resources": ["/system"],
        "tokens": [(HEADER, "Authorization")],
    },
    "ohif": {"folders": ["/ohif/"], "resources": [], "tokens": []},
}


def load_config(section):
    """The filter's settings from the `StudyShareAuthz` section; ValueError for a bad Mode."""
    mode = section.get("Mode", "faithful")
    if mode not in MODES:
        raise ValueError("unknown Mode")
    credentials = f"{section['Username']}:{section['Password']}".encode()
    config = {
        "mode": mode,
        "authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
        "tokens": [(HEADER, name) for name in section.get("TokenHttpHeaders", [])]
        + [(ARGUMENT, name) for name in section.get("TokenGetArguments", [])],
        # As the plugin's UncheckedFolders: a viewer's own HTML and scripts, no patient data.
        "unchecked_folders": list(section.get("UncheckedFolders", [])),
        "unchecked_resources": set(section.get("UncheckedResources", [])),
        "profile_url": section.get("UserProfileUrl"),
        "decoder_url": None,
    }
    # WebServiceRootUrl derives all the service's routes (AUTHZ-CONTRACT.md §1).
    root = section.get("RootUrl")
    if root:
        root = root.rstrip("/")
        config["validation_url"] = root + "/tokens/validate"
        config["profile_url"] = root + "/user/get-profile"
        config["decoder_url"] = root + "/tokens/decode"
    else:
        config["validation_url"] = section["ValidationUrl"]
    for name in section.get("StandardConfigurations", []):
        standard = STANDARD_CONFIGURATIONS[name]
        config["unchecked_folders"] += standard["folders"]
        config["unchecked_resources"].update(standard["resources"])
        config["tokens"] += standard["tokens"]
    config["unchecked_folders"] = tuple(config["unchecked_folders"])
    if mode == "faithful":
        # The plugin keeps its tokens in a std::set: duplicates merge, order is by kind, name.
        config["tokens"] = sorted(set(config["tokens"]))
    else:
        # Header tokens first, each kind in the configured order (sorted() is stable).
        config["tokens"] = sorted(_unique_names(config["tokens"]), key=lambda token: token[0])
        config["unchecked_resources"] = set()
        config["profile_url"] = config["decoder_url"] = None
    return config


def _unique_names(tokens):
    seen, unique = set(), []
    for kind, name in tokens:
        if (kind, name.lower()) not in seen:
            seen.add((kind, name.lower()))
            unique.append((kind, name))
    return unique
