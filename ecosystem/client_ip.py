"""The client's address, as far as the reverse proxies in front of the app can be trusted.

django-axes (``AXES_CLIENT_IP_CALLABLE``), the audit trail and the password-reset rate limit
all ask this one function, so the lockout, the limit and the record agree on who asked.

``TRUSTED_PROXY_COUNT`` is the number of reverse proxies between the Internet and the app, each
appending the address it received the request from to ``X-Forwarded-For``. With 0 (the default)
the header is ignored: anyone can write it, so trusting it would let a client dodge the lockout by
sending a new address with every attempt. With ``n`` proxies the client is the ``n``-th address
from the right, the one the outermost proxy saw; what the client wrote itself lies further left
and is never read.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address for ``request`` (a Django or DRF request)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Not through every trusted proxy (a direct hit, or a proxy that does not set the header):
        # the peer is the only address known for sure.
        return remote
    return _address(forwarded[-count]) or remote
