"""Argument checks shared by the course's modules, with messages that name the argument.

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_int"]


def check_int(value, name: str, *, minimum: int = 1, where: str = "") -> int:
    """``value`` as a Python ``int`` if it is an integer ``>= minimum``, else ``ValueError``.

    ``bool`` is refused (``True`` is an ``int`` to Python, never a size to a student). The
    message reads ``"[where: ]name must be an int >= minimum, got value"``.

    >>> check_int(3, "window")
    3
    >>> check_int(0, "steps")
    Traceback (most recent call last):
    ...
    ValueError: steps must be an int >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}{name} must be an int >= {minimum}, got {value!r}")
    return int(value)
