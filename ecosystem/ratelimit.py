"""Fixed-window rate limits in Django's cache (Redis in production, so every web process counts together)."""

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, value: str, window_seconds: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no raw address or e-mail in the cache
    return f"ratelimit:{scope}:{digest}:{int(time.time()) // window_seconds}"


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``value`` in ``scope``; True while it stays within ``limit`` per window."""
    key = _key(scope, value, window_seconds)
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
