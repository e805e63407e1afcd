"""course_lib: the helper library of the course "Recurrent networks, gate by gate".

Importing it is cheap: numpy only. TensorFlow is imported by the functions that need it
(``course_lib.keras_bridge``), never at import time.

Modules: ``cells`` (forward equations), ``bptt`` (backprop through time, clipping, gradient
checks), ``learning`` (perceptron rule, a numpy MLP with backprop), ``tasks`` (synthetic sequence
tasks), ``keras_bridge`` (numpy <-> Keras weights), ``data`` and ``evaluation`` (the Bitcoin
hands-on), ``widgets`` (the explorers of each lesson) and ``grading``.
"""

__version__ = "0.1.0"


def presentation(on: bool = True) -> int:
    """Presentation mode (large fonts, for a projector) for every explorer of the course: those
    already shown and those made later in this kernel. ``presentation(False)`` switches it off.

    Returns how many existing explorers were switched. (Imports ipywidgets on first use.)
    """
    from .widgets.base import set_presentation

    return set_presentation(on)
