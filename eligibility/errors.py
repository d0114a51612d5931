"""The project's one exception family: what went wrong, said so a user can fix it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any


def shown(value: Any) -> str:
    """A value as given, as Python writes it (repr); said in words when Python refuses to write it.

    Python refuses to write an integer of more than 4,300 digits (sys.get_int_max_str_digits),
    which JSON and Python callers may give: the message about it must not fail in its turn.
    """
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, int):
            return f"<an integer of more than {sys.get_int_max_str_digits():,} digits>"
        return f"<a {type(value).__name__} holding an integer of more than {sys.get_int_max_str_digits():,} digits>"


class EligibilityError(Exception):
    """Base of every error the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was given, what is allowed (in English, and in Chinese when known)."""

    field: str
    message: str
    value: Any = None
    message_zh: str | None = None

    def __str__(self) -> str:
        return self.text("en")

    def text(self, language: str) -> str:
        """`field: 'value': message` in `language` (English where no Chinese was given)."""
        message = self.message_zh if language == "zh" and self.message_zh else self.message
        if self.value is None:
            return f"{self.field}: {message}"
        return f"{self.field}: {shown(self.value)}: {message}"


class InputError(EligibilityError):
    """An applicant profile (or a command's input) that cannot be evaluated."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rule file, located as file:line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RulePackError(EligibilityError):
    """A rule pack that does not load: every problem found, each as file:line: message."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class UnknownRuleError(EligibilityError):
    """A rule id that no loaded pack defines."""

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        super().__init__(f"no rule with id {rule_id}")
