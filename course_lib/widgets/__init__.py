"""Interactive explorers, one module per lesson; ``base`` holds what they share.

Every explorer can be driven from code: ``explorer.set(name=value, ...)`` moves its controls and
``explorer.values`` returns a dict of the numbers it shows. ``presentation=True`` (or
``explorer.presentation = True``) enlarges fonts for a projector.
"""
