"""The course's assignments, by name: ``get("hw05_lstm")`` returns its :class:`Assignment`.

Each assignment lives in its own module ``course_lib.grading.<name>``, beside its public checks,
and exposes ``ASSIGNMENT``. Importing this module imports none of them (they are loaded on use).
"""

from __future__ import annotations

import importlib

from .common import Assignment

NAMES = ("hw01_perceptron", "hw03_rnn", "hw05_lstm", "hw06_gru", "hw07_stock_gru")


def get(name: str) -> Assignment:
    """The assignment called ``name``; a clear error listing the known names otherwise."""
    if name not in NAMES:
        raise ValueError(f"unknown assignment {name!r}; the course has: {', '.join(NAMES)}")
    return importlib.import_module(f"course_lib.grading.{name}").ASSIGNMENT
