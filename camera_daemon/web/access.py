"""Who may use the preview server: the rules every request passes before it reaches a handler.

The page runs on loopback by default, where the threat is another web page in the user's browser
(a cross-site POST that stops a recording) or a DNS name rebound to 127.0.0.1; on any other address
it is everyone on the network. Hence: a loopback server answers only to a loopback Host, and a
state-changing request needs the token or an Origin equal to the page's own; a server on any other
address needs the token on every API request. No response ever carries a CORS allow header.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

TOKEN_HEADER = "X-Camd-Token"
_LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(address: str) -> bool:
    if address in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8421`` -> ``::1``, ``localhost:8421`` -> ``localhost``."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class AccessRules:
    def __init__(self, bind: str, token: str) -> None:
        self.loopback = is_loopback(bind)
        self.token = token
        # Off loopback nothing is open without the token; on loopback the token is optional.
        self.token_required = not self.loopback

    def token_ok(self, given: str | None) -> bool:
        return bool(self.token) and given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def refusal(self, method: str, path: str, host: str, origin: str | None, token: str | None) -> str | None:
        """Why this request is refused, or None when it may go on."""
        if self.loopback and not is_loopback(host_name(host)):
            return f"host {host!r} is not this machine's loopback; open the URL camd printed"
        if not path.startswith("/api/"):
            return None  # the page and its assets hold nothing secret
        if self.token_ok(token):
            return None
        if self.token_required:
            return "this server needs the access token camd printed at start (?token=... or the X-Camd-Token header)"
        if method in ("GET", "HEAD"):
            return None
        if origin is not None and origin == f"http://{host}":
            return None
        return "a state-changing request needs the access token or must come from the preview page itself"
