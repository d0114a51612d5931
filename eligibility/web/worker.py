"""One roster scored for the web page, in its own process: `python -m eligibility.web.worker`.

It calls `run_batch` exactly as `eligibility batch` does and reports on standard
output, one JSON object a line: `{"rows": N}` as rows are scored, then
`{"summary": {...}}` (exit 0), or `{"problems": [...]}` for input it cannot score
(exit 2). The server runs it apart so that a file that makes a reader fail hard,
or run too long, can end only this process.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
# Smaller chunks than the command line's, so that the page's count of rows scored moves
# while a large roster is scored (the output does not depend on the chunks: tests/test_batch.py).
CHUNK_BYTES = 1 << 20
CHUNK_ROWS = 10_000


def _say(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eligibility.web.worker")
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), required=True)
    parser.add_argument("--rules", type=Path, required=True)
    parser.add_argument("--rules-version", required=True, help="the server's: refuse to score under other rules")
    parser.add_argument("--name", default="", help="the file's name on the user's computer, for messages")
    parser.add_argument("--lang", choices=("zh", "en"), default="en", help="of the scored file's words")
    options = parser.parse_args(arguments)

    from eligibility.batch import BatchOptions, run_batch
    from eligibility.errors import EligibilityError, InputError
    from eligibility.packs.catalogue import Catalogue

    name = options.name or options.input.name
    where = str(options.input)

    def problem(field: str, message: str, value: Any = None, message_zh: str | None = None) -> dict[str, Any]:
        # The user knows the file by its name, not by where the server keeps it.
        return {
            "field": name if field == where else field,
            "message": message.replace(where, name),
            "value": value,
            "message_zh": message_zh.replace(where, name) if message_zh else None,
        }

    def refuse(*problems: dict[str, Any]) -> int:
        _say({"problems": list(problems)})
        return EXIT_BAD_INPUT

    try:
        catalogue = Catalogue.from_directory(options.rules)
    except EligibilityError as error:
        return refuse(problem("rules", f"the rule packs no longer load: {error}"))
    if catalogue.rules_version != options.rules_version:
        return refuse(problem("rules", "the rule packs changed on disk since the server started; restart the server"))
    scored = 0

    def progress(rows: int) -> None:
        nonlocal scored
        scored += rows
        _say({"rows": scored})

    batch = BatchOptions(
        input=options.input,
        output=options.output,
        as_of=options.as_of,
        format=options.format,
        chunk_bytes=CHUNK_BYTES,
        chunk_rows=CHUNK_ROWS,
        language="zh" if options.lang == "zh" else "en",
    )
    try:
        summary = run_batch(batch, catalogue, progress)
    except InputError as error:
        return refuse(*(problem(item.field, item.message, item.value, item.message_zh) for item in error.problems))
    except EligibilityError as error:
        return refuse(problem("roster", str(error)))
    except Exception as error:  # a reader's own error on a damaged file: say what it was, not where
        message = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        return refuse(problem("roster", f"cannot be read as a roster ({type(error).__name__}: {message})"))
    _say({"summary": summary.as_json()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
