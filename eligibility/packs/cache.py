"""Validated rule packs kept between runs, so that a command-line check does not parse and validate them again.

A directory's packs, once loaded without a problem, are stored as JSON in the
user's cache directory under a key that is the hash of everything their
validation depends on: the text of every pack file of the directory, the source
of the code that reads and checks packs (packs/, facts/, conditions/), and the
versions of Python and pydantic. Any change to any of them is another key, so a
stored entry is never used for packs or code other than those it was made from;
a directory with a problem is never stored (its problems are found again, and
reported, on every run). The normalised conditions are rebuilt from the stored
packs (they hold the operator table's functions, which are not stored).

JSON, read back by pydantic's validation (about 1 ms for the five shipped packs,
as fast as unpickling), never pickle: a cache entry is data, and reading one runs
no code from it, as a rule file's reading runs none.

Where: `$ELIGIBILITY_CACHE` when set (`off` turns the cache off), otherwise
`$XDG_CACHE_HOME/eligibility` or `~/.cache/eligibility`. The directory is the
user's own (created 0700, entries 0600); anything unreadable there is ignored
and the packs are loaded as if there were no cache.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter

from eligibility.documents import DocumentError, read_text
from eligibility.packs.schema import RulePack

CACHE_SETTING = "ELIGIBILITY_CACHE"
_PACKS: TypeAdapter[list[RulePack]] = TypeAdapter(list[RulePack])
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = ("packs", "facts", "conditions")  # the code a validated pack depends on


def cache_directory() -> Path | None:
    """Where entries are kept; None when the cache is off."""
    setting = os.environ.get(CACHE_SETTING)
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "no", "false") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eligibility"


@cache
def _code_digest() -> bytes:
    """The source of the code that reads and checks packs, and the versions that interpret it."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for folder in _CODE:
        for path in sorted((_PACKAGE / folder).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _key(texts: Sequence[tuple[Path, str]]) -> str:
    digest = hashlib.sha256(_code_digest())
    for path, text in texts:
        digest.update(path.name.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _entry(files: Sequence[Path]) -> tuple[Path, list[str]] | None:
    """The entry's file for these pack files and each file's digest; None when off or a file cannot be read."""
    directory = cache_directory()
    if directory is None:
        return None
    from eligibility.packs.loader import MAX_PACK_BYTES

    try:
        texts = [(path, read_text(path, MAX_PACK_BYTES)) for path in files]
    except DocumentError:
        return None  # the loader reports it
    digests = [hashlib.sha256(text.encode("utf-8")).hexdigest() for _, text in texts]
    return directory / f"packs-{_key(texts)}.json", digests


def load(files: Sequence[Path]) -> list[tuple[RulePack, str]] | None:
    """The stored (pack, digest) of each file, in order; None when nothing is stored for exactly these files."""
    found = _entry(files)
    if found is None:
        return None
    entry, digests = found
    try:
        packs = _PACKS.validate_json(entry.read_bytes())
    except (OSError, ValueError):  # absent, unreadable or not packs: load the packs as if there were no cache
        return None
    if len(packs) != len(files):
        return None
    return list(zip(packs, digests, strict=True))


def store(files: Sequence[Path], packs: Sequence[RulePack]) -> None:
    """Keep the validated packs of these files (best effort: a cache that cannot be written is skipped)."""
    found = _entry(files)
    if found is None:
        return
    entry, _ = found
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=".packs-", delete=False) as stream:
            stream.write(_PACKS.dump_json(list(packs), by_alias=True))
        os.replace(stream.name, entry)  # whole or not at all, even with two writers
    except OSError:
        return
    _prune(entry.parent)


KEPT = 16  # entries kept: each change of a pack or of the code makes a new one


def _prune(directory: Path) -> None:
    """Delete all but the KEPT most recently written entries."""
    try:
        entries = sorted(directory.glob("packs-*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        for stale in entries[KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
