"""Feedback on answers (👍/👎 with a comment), stored beside the index, and the test cases officials make from it."""

from .store import FeedbackStore, feedback_path, user_testset_path
from .cases import make_case, append_case

__all__ = ["FeedbackStore", "feedback_path", "user_testset_path", "make_case", "append_case"]
