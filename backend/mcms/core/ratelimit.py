"""A small sliding-window limiter for failed sign-ins.

It slows password guessing down to ``max_failures`` per ``window_seconds`` for
each (client address, username) pair, answering ``RATE_LIMITED``; a success
clears the pair. State is per process (several workers each keep their own),
which is enough to make online guessing pointless on an intranet.
"""

from __future__ import annotations

import time
from collections import deque

from mcms.core.errors import RateLimited


class FailureLimiter:
    def __init__(
        self, *, max_failures: int = 10, window_seconds: float = 300.0, max_keys: int = 50_000
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def check(self, *keys: str) -> None:
        """``RATE_LIMITED`` if any key has used up its failures in the window."""
        now = time.monotonic()
        for key in keys:
            recent = self._recent(key, now)
            if len(recent) >= self.max_failures:
                retry = int(self.window_seconds - (now - recent[0])) + 1
                raise RateLimited(
                    f"Too many failed sign-ins; try again in {retry} seconds.",
                    retry_after=retry,
                )

    def record_failure(self, *keys: str) -> None:
        now = time.monotonic()
        if len(self._failures) >= self.max_keys:
            self._failures.clear()  # bounded memory beats perfect memory here
        for key in keys:
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and now - recent[0] > self.window_seconds:
            recent.popleft()
        return recent
