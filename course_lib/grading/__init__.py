"""Homework support: public checks, the exercise generator and the autograder.

Students call the public checks of their assignment's module in their notebook, for example
``from course_lib.grading.hw05_lstm import check_lstm_step``. They are advice: scores come from
``python3 course.py grade`` (see README, "Grading"), which draws its own inputs and decides in a
process the student's code never reaches. What the checks print goes through
:func:`course_lib.i18n.gettext` when it is shown, so it is in Portuguese after
``course_lib.set_language("pt-BR")`` (catalogue ``course_lib/i18n/locale/pt_BR/LC_MESSAGES/
grading.po``); the grader's own files (``results.json``, ``feedback.md``) stay in English.
"""

from .assignments import NAMES, get
from .common import Assignment, FunctionPart, Part, Verdict

__all__ = ["NAMES", "get", "Assignment", "Part", "FunctionPart", "Verdict"]
