"""Shared test set-up: nothing the tests run may write outside the project and the temp dir.

Keras (~/.keras), matplotlib (its font cache), IPython and Jupyter (kernel connection files)
write into the home folder. This file runs before any test, notebook kernel or server starts,
and points HOME and the tools' own variables at a fresh folder in the system temp dir; kernels
started by nbval and the browser tests' JupyterLab inherit it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

_HOME = tempfile.mkdtemp(prefix="course-test-home-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
for _name, _sub in (
    ("HOME", ""),
    ("KERAS_HOME", ".keras"),
    ("MPLCONFIGDIR", ".matplotlib"),
    ("IPYTHONDIR", ".ipython"),
    ("JUPYTER_CONFIG_DIR", ".jupyter"),
    ("JUPYTER_DATA_DIR", ".local/share/jupyter"),
    ("JUPYTER_RUNTIME_DIR", ".local/share/jupyter/runtime"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_CONFIG_HOME", ".config"),
):
    os.environ[_name] = os.path.join(_HOME, _sub) if _sub else _HOME


@pytest.fixture
def portuguese():
    """Portuguese for the test (course_lib.set_language); English again afterwards, whatever
    happens, so that no other test sees another language."""
    import course_lib

    course_lib.set_language("pt-BR")
    try:
        yield
    finally:
        course_lib.set_language("en")
