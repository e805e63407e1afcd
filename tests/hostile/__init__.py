"""Hostile submissions for the autograder's tests (tests/test_grading_hostile.py).

Each attack is what a clever student could submit: the generated exercise (which scores zero)
with its student cells rewritten to cheat. :mod:`tests.hostile.attacks` holds the attacks and
the builders that write them, one student folder each, into a batch folder.
"""
