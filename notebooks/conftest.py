"""nbval set-up for the lessons: lesson 07 runs in a kernel without ``COURSE_DATA_DIR``.

CI (``.ci/run``) sets ``COURSE_DATA_DIR`` for the whole test run, because the data tests read the
real files in the shared folder. Lesson 07 must compute, under nbval, exactly what a student's
fresh clone computes, where that variable is not set. nbval starts a notebook's kernel while it
sets up the notebook's first cell, and the kernel copies ``os.environ`` at that moment; this hook
removes the variable just for that set-up and puts it back afterwards, so lesson 07's kernel
never sees it (the lesson reads the file shipped with the course, ``load_bitcoin(SHIPPED_DAILY)``,
and ``tests/test_lesson.py`` checks that its code never asks for the variable).
"""

from __future__ import annotations

import os

import pytest

#: notebooks whose kernel starts without COURSE_DATA_DIR (what a fresh clone has): lesson 07 and
#: its Portuguese edition (course_lib/i18n/catalogues.py executes that one the same way)
WITHOUT_DATA_DIR = {"07_bitcoin_lstm.ipynb", "07_bitcoin_lstm.pt-BR.ipynb"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    if item.path.name not in WITHOUT_DATA_DIR:
        yield
        return
    saved = os.environ.pop("COURSE_DATA_DIR", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["COURSE_DATA_DIR"] = saved
