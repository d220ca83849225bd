"""Who may use the preview server: the rules every request passes before it reaches a handler.

The page runs on loopback by default, where the threat is another web page in the user's browser
(a cross-site POST that stops a recording) or a DNS name rebound to 127.0.0.1; on any other address
it is everyone on the network. Hence: a loopback server answers only to the user running it (the
peer's uid, read from /proc/net/tcp: any local user can reach 127.0.0.1) and to a loopback Host, and
a state-changing request needs the token or an Origin equal to the page's own; a server on any other
address needs the token on every API request. No response ever carries a CORS allow header.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

TOKEN_HEADER = "X-Camd-Token"
_LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}
_TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


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


def _proc_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as /proc/net/tcp{,6} writes it: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(text)
    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _endpoint(pair: tuple[Any, ...]) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    address = ipaddress.ip_address(str(pair[0]).split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address, int(pair[1])


def peer_uid(peer: tuple[Any, ...], ours: tuple[Any, ...], tables: tuple[str, ...] = _TCP_TABLES) -> int | None:
    """The uid owning the other end of a loopback TCP connection, or None when no table names it.

    Loopback TCP carries no SO_PEERCRED, but both ends live in this kernel: the client's socket is
    the row whose local end is the peer's address and whose remote end is ours, and its uid column
    says who opened it."""
    wanted = (_endpoint(peer), _endpoint(ours))
    for table in tables:
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 8:
                continue
            try:
                local, remote = (fields[i].split(":") for i in (1, 2))
                row = ((_proc_address(local[0]), int(local[1], 16)), (_proc_address(remote[0]), int(remote[1], 16)))
            except ValueError:
                continue
            if row == wanted:
                return int(fields[7])
    return None


def stranger(peer: tuple[Any, ...] | None, ours: tuple[Any, ...] | None) -> str | None:
    """Why a loopback client is not this server's own user, or None when it is: anyone on the
    machine can reach 127.0.0.1, but only the user who records may watch or stop it."""
    if not peer or not ours:
        return "cannot tell which user opened this connection"
    uid = peer_uid(peer, ours)
    if uid is None:
        return "cannot tell which user opened this connection"
    if uid != os.getuid():
        return f"uid {uid} is not the user running camd (uid {os.getuid()})"
    return None
