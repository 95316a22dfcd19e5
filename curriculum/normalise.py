"""URL normalisation for the learning-resource duplicate check.

Two submissions are the same resource when their URLs agree after: lower-casing the scheme
and host, dropping the default port (80 for http, 443 for https), the fragment, a trailing
slash on the path and tracking parameters (any `utm_*`, `fbclid`, `gclid`, `mc_cid`,
`mc_eid`), and sorting what query parameters remain. The path keeps its case: on most
servers `/Guide` and `/guide` are different pages.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid"})
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The comparison form of an http(s) URL. Raises ValueError for one that has no host or
    a port that is not a number."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise ValueError("The address has no host.")
    port = parts.port  # ValueError for a port that is not a number
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = urlencode(sorted(
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ))
    return urlunsplit((scheme, netloc, path, query, ""))
