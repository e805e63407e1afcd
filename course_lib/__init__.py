"""course_lib: the helper library of the course "Recurrent networks, gate by gate".

Importing it imports nothing else; each module imports numpy (and pandas for data), and
TensorFlow only inside the functions that need it (``keras_bridge``, ``lesson``).

Modules: ``cells`` (forward equations), ``bptt`` (backprop through time, clipping, gradient
checks), ``gate_analysis`` (LSTM/GRU terms, notations and the carousel), ``learning``
(perceptron rule, a numpy MLP with backprop), ``tasks`` (synthetic sequence tasks), ``text``
(next-token prediction on a tiny corpus), ``attention`` and ``regularization`` (lesson 08),
``keras_bridge`` (numpy <-> Keras weights, gate activations), ``lesson`` (Keras set-up for a
lesson), ``data`` (loading real Bitcoin prices), ``preprocessing`` (returns, chronological split,
scalers, windows), ``evaluation`` (baselines, metrics, walk-forward), ``stocks`` (the GOOG data
of the stock homework), ``validation`` (shared argument checks), ``widgets`` (the explorers of
each lesson), ``grading`` (checks, exercises, the autograder) and ``site`` (the course site).
``presentation()`` below switches every explorer to presentation mode; ``set_language("pt-BR")``
(from ``i18n``) shows what the course prints in Brazilian Portuguese.
"""

from .i18n import get_language, set_language  # light: imports nothing else

__version__ = "0.1.0"
__all__ = ["get_language", "presentation", "set_language"]


def presentation(on: bool = True) -> int:
    """Presentation mode (large fonts, for a projector) for every explorer of the course: those
    already shown and those made later in this kernel. ``presentation(False)`` switches it off.

    Returns how many existing explorers were switched. (Imports ipywidgets on first use.)
    """
    from .widgets.base import set_presentation

    return set_presentation(on)
