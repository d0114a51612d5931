"""Reading the documents people give — rule packs, profiles — safely.

A document is read only from a regular file (never a directory, a FIFO, a device
or a link: opening those could block or read without end), within a size bound,
as strict UTF-8. YAML is parsed with the safe loader (no tags, no code); anchors
and aliases are refused (a few lines of them expand to billions of nodes, or to
a structure that contains itself), as are duplicate keys, nesting deeper than
MAX_DEPTH and dates that do not exist. Every problem names its line.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import yaml

try:  # the C parser when PyYAML was built with libyaml
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

LinePath = tuple[str | int, ...]
MAX_DEPTH: Final = 64
_TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"
_NUMBERS: Final = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_TEXT: Final = "tag:yaml.org,2002:str"


def json_integer(digits: str) -> int | str:
    """A JSON integer (json.loads' parse_int); one too long for Python to read (over 4,300 digits) stays its digits.

    JSON sets no limit, so the profile refuses it on its field (not a number, too long), as
    batch refuses a cell of those digits, rather than the whole document being malformed.
    """
    limit = sys.get_int_max_str_digits()
    return digits if limit and len(digits.lstrip("-")) > limit else int(digits)


def too_many_digits(count: int) -> str:
    return f"a number of {count:,} digits; numbers have at most {sys.get_int_max_str_digits():,}"


class DocumentError(Exception):
    """A document that cannot be read: (line, message) pairs, line 0 for the whole file."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def read_text(path: Path, limit: int) -> str:
    """A regular file's text, at most `limit` bytes of UTF-8; DocumentError saying what it is otherwise."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise DocumentError([(0, "no such file")]) from None
    except OSError as error:
        raise DocumentError([(0, f"cannot be read: {error.strerror}")]) from None
    if stat.S_ISLNK(status.st_mode):
        raise DocumentError([(0, "a link, not a file: name the file itself")])
    if stat.S_ISDIR(status.st_mode):
        raise DocumentError([(0, "a directory, not a file")])
    if not stat.S_ISREG(status.st_mode):
        raise DocumentError([(0, "not a regular file (a device, a FIFO or a socket)")])
    if status.st_size > limit:
        raise DocumentError([(0, f"{status.st_size:,} bytes; the limit is {limit:,}")])
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise DocumentError([(0, f"cannot be read: {error.strerror}")]) from None
    if len(data) > limit:
        raise DocumentError([(0, f"more than {limit:,} bytes")])
    return decode(data)


def decode(data: bytes) -> str:
    """Strict UTF-8 (a byte-order mark allowed); DocumentError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DocumentError([(line, f"not UTF-8 text (byte {error.start}); save the file as UTF-8")]) from None


class _SafeRecordingLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that refuses aliases, duplicate keys, deep nesting and impossible dates, and records lines."""

    def __init__(self, stream: Any, as_written: Callable[[str], bool] | None = None) -> None:
        super().__init__(stream)
        self.as_written = as_written  # keys whose plain values stay the text written (an id 001, not 1)
        self.lines: dict[LinePath, int] = {}
        self.problems: list[tuple[int, str]] = []
        self._seen: set[int] = set()
        self._aliased = False

    def construct_document(self, node: yaml.Node) -> Any:
        self._record(node, (), 1)
        if self.problems:  # never build what was refused (an alias graph can be enormous)
            return None
        return super().construct_document(node)

    def _record(self, node: yaml.Node, path: LinePath, depth: int) -> None:
        line = node.start_mark.line + 1
        self.lines[path] = line
        if id(node) in self._seen:
            if not self._aliased:  # once: a bomb repeats its aliases thousands of times
                self._aliased = True
                self.problems.append((line, "YAML anchors and aliases (&name, *name) are not allowed: write it out"))
            return
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            self.problems.append((line, f"nested more than {MAX_DEPTH} levels deep"))
            return
        if isinstance(node, yaml.MappingNode):
            keys: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                key_line = key_node.start_mark.line + 1
                if key in keys:
                    self.problems.append((key_line, f"duplicate key {key!r} (first at line {keys[key]})"))
                keys[key] = key_line
                self.lines[(*path, key)] = key_line
                if (
                    self.as_written is not None
                    and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag in _NUMBERS
                    and self.as_written(str(key))
                ):
                    value_node.tag = _TEXT
                self._record(value_node, (*path, key), depth + 1)
                self.lines[(*path, key)] = key_line
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._record(item, (*path, index), depth + 1)
        elif node.tag == _TIMESTAMP:
            try:
                self.construct_yaml_timestamp(node)
            except ValueError as error:
                self.problems.append((line, f"not a date: {node.value!r} ({error}); write YYYY-MM-DD"))
        elif node.tag == _NUMBERS[0]:
            try:
                self.construct_yaml_int(node)
            except ValueError:  # past Python's limit of digits it converts (4,300)
                digits = sum(character.isalnum() for character in node.value)
                self.problems.append((line, too_many_digits(digits)))


def parse_yaml(text: str, as_written: Callable[[str], bool] | None = None) -> tuple[Any, dict[LinePath, int]]:
    """Data and the line of each path; DocumentError with every problem found.

    The values of keys `as_written` accepts stay the text written when YAML would read a
    number: `编号: 001` is "001" (YAML alone would read 1, and 010 as 8).
    """
    loader = _SafeRecordingLoader(text, as_written)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise DocumentError([(line, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise DocumentError(loader.problems)
    return data, loader.lines


def parse_json(text: str) -> Any:
    """JSON data; DocumentError (with the line) when it is not JSON."""
    try:
        return json.loads(text, parse_int=json_integer)
    except RecursionError:
        raise DocumentError([(1, "not valid JSON: nested too deeply")]) from None
    except json.JSONDecodeError as error:
        raise DocumentError([(error.lineno, f"not valid JSON: {error.msg}")]) from None


def line_of(lines: dict[LinePath, int], path: Iterable[str | int]) -> int:
    """The line of the deepest recorded prefix of `path` (1 when nothing matches)."""
    parts = tuple(path)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get((), 1)
