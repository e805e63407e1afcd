"""Interactive explorers, one module per lesson; ``base`` holds what they share.

Every explorer can be driven from code: ``explorer.set(name=value, ...)`` moves its controls and
``explorer.values`` returns a dict of the numbers it shows. ``presentation=True`` (or
``explorer.presentation = True``) enlarges fonts for a projector; ``course_lib.presentation(True)``
does it for every explorer, those already shown and those to come.

Named scenes: ``explorer.scene("forget gate closed")`` sets every control as the scene documents
it (``SCENES`` holds what differs from ``DEFAULTS``); the row of buttons at the top of each
explorer does the same in class. Displaying an explorer also stores a static picture of its
state (``text/html``: plots, numbers, settings) beside the widget view, for readers without a
kernel (GitHub, nbviewer, exported HTML).
"""
