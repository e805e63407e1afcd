"""Homework support: public checks, the exercise generator and the autograder.

Students call the public checks of their assignment's module in their notebook, for example
``from course_lib.grading.hw05_lstm import check_lstm_step``. They are advice: scores come from
``python3 course.py grade`` (see README, "Grading"), which draws its own inputs and decides in a
process the student's code never reaches.
"""

from .assignments import NAMES, get
from .common import Assignment, FunctionPart, Part, Verdict

__all__ = ["NAMES", "get", "Assignment", "Part", "FunctionPart", "Verdict"]
