"""Rosters scored for the web page: uploaded, scored in a worker process, downloaded once, then gone.

Nothing is kept. The upload goes to a private temporary directory and is
deleted as soon as scoring ends; the scored file is deleted after its download
or `expiry` seconds after scoring ended, whichever comes first, and the job (its
summary: counts per benefit) goes at that expiry too. Every size and count is
bounded: the upload's bytes, the jobs held and running at once, and a worker's
time (it is killed past `timeout`). The scoring itself is `run_batch`, run by
`python -m eligibility.web.worker` in its own process, so that a file that makes
a reader fail hard or hang ends that process, never the server.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

from eligibility.errors import Problem

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
EXPIRY_SECONDS: Final = 15 * 60
TIMEOUT_SECONDS: Final = 120
MAX_JOBS: Final = 8  # holding files at once (being scored, or waiting for their download)
MAX_RUNNING: Final = 2  # scored at once: the cores of a small machine
MAX_RECORDS: Final = 200  # jobs remembered (a summary each) until they expire; the oldest ended ones go first
# What each accepted type starts with; CSV is text, whatever its encoding (the batch reader decides).
SIGNATURES: Final[dict[str, bytes | None]] = {
    ".csv": None,
    ".xlsx": b"PK\x03\x04",
    ".xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
}
OUTPUT_FORMATS: Final = ("xlsx", "csv")
_LOG_BYTES: Final = 4_000
_logger = logging.getLogger("eligibility.web")

JobState = Literal["uploading", "scoring", "done", "failed", "downloaded"]


class Refused(Exception):
    """An upload refused: the HTTP status and what the user should know."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(str(problem))
        self.status = status
        self.problem = problem


@dataclass
class Job:
    """One roster: where its files are, and how its scoring went."""

    id: str
    name: str  # the uploaded file's name, as the user's computer gave it
    directory: Path
    input: Path
    output: Path
    output_format: str
    as_of: date
    language: str = "en"  # of the scored file's headings, words and amounts
    state: JobState = "uploading"
    rows: int = 0
    summary: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    finished: float | None = None


def file_type(name: str) -> str:
    """The accepted type of an uploaded file by its name (.csv, .xlsx, .xls); Refused (415) otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix not in SIGNATURES:
        allowed = ", ".join(SIGNATURES)
        raise Refused(415, Problem("roster", f"file type not accepted; allowed: {allowed}", name))
    return suffix


def check_content(name: str, suffix: str, start: bytes) -> None:
    """The file's first bytes agree with its type: a workbook is one, and a CSV is not a workbook renamed."""
    if not start:
        raise Refused(422, Problem("roster", "the file is empty", name))
    signature = SIGNATURES[suffix]
    if signature is not None and not start.startswith(signature):
        raise Refused(415, Problem("roster", f"not a {suffix} workbook (its content is of another type)", name))
    if signature is None:
        for other, magic in SIGNATURES.items():
            if magic is not None and start.startswith(magic):
                raise Refused(415, Problem("roster", f"an Excel workbook named .csv: name it {other}", name))


class RosterJobs:
    """The rosters being scored or waiting for their download, in memory, with their files in one private directory."""

    def __init__(
        self,
        rules_directory: Path | None,
        rules_version: str,
        *,
        max_bytes: int = MAX_UPLOAD_BYTES,
        expiry: float = EXPIRY_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        max_jobs: int = MAX_JOBS,
        max_running: int = MAX_RUNNING,
    ) -> None:
        self.rules_directory = rules_directory
        self.rules_version = rules_version
        self.max_bytes = max_bytes
        self.expiry = expiry
        self.timeout = timeout
        self.max_jobs = max_jobs
        self.max_running = max_running
        self.root: Path | None = None  # made with the first roster: a server nobody sends one to writes nothing
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._cleanup: weakref.finalize[Any, RosterJobs] | None = None

    def reserve(self, name: str, output_format: str, as_of: date, language: str = "en") -> Job:
        """A new job with its directory, counted against the limits before any byte is read."""
        suffix = file_type(name)
        if self.rules_directory is None:
            raise Refused(503, Problem("roster", "this server's rule packs were not loaded from a directory"))
        with self._lock:
            busy = [job for job in self._jobs.values() if job.state in ("uploading", "scoring")]
            holding = [job for job in self._jobs.values() if job.state in ("uploading", "scoring", "done")]
            if len(busy) >= self.max_running or len(holding) >= self.max_jobs:
                message = (
                    f"{len(busy)} rosters are being scored and {len(holding)} wait for their download (at most "
                    f"{self.max_running} and {self.max_jobs}); try again in a minute"
                )
                raise Refused(503, Problem("roster", message))
            ended = [job for job in self._jobs.values() if job.state in ("failed", "downloaded")]
            for old in sorted(ended, key=lambda job: job.finished or 0)[: max(0, len(self._jobs) + 1 - MAX_RECORDS)]:
                del self._jobs[old.id]  # its files are gone already
            if self.root is None:
                self.root = Path(tempfile.mkdtemp(prefix="eligibility-rosters-"))  # mode 0700: this user's only
                self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, True)  # at exit too
            identifier = secrets.token_urlsafe(18)  # the job's only key: unguessable
            directory = self.root / identifier
            directory.mkdir(mode=0o700)
            job = Job(
                id=identifier,
                name=name,
                directory=directory,
                input=directory / f"roster{suffix}",
                output=directory / f"scored.{output_format}",
                output_format=output_format,
                as_of=as_of,
                language=language,
            )
            self._jobs[identifier] = job
        return job

    def get(self, identifier: str) -> Job | None:
        with self._lock:
            return self._jobs.get(identifier)

    def discard(self, job: Job) -> None:
        """Forget a job and delete its files (an upload refused or cut off)."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.directory, ignore_errors=True)

    def start(self, job: Job) -> None:
        """Score the uploaded file in a worker process; a thread follows its progress."""
        assert self.rules_directory is not None
        command = [
            sys.executable,
            "-m",
            "eligibility.web.worker",
            str(job.input),
            str(job.output),
            "--as-of",
            job.as_of.isoformat(),
            "--format",
            job.output_format,
            "--rules",
            str(self.rules_directory),
            "--rules-version",
            self.rules_version,
            "--name",
            job.name,
            "--lang",
            job.language,
        ]
        log = (job.directory / "worker.log").open("wb")
        try:
            job.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        finally:
            log.close()
        job.state = "scoring"
        threading.Thread(target=self._follow, args=(job,), name=f"roster-{job.id[:6]}", daemon=True).start()

    def _follow(self, job: Job) -> None:
        process = job.process
        assert process is not None and process.stdout is not None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(self.timeout, stop)
        timer.daemon = True
        timer.start()
        started = time.monotonic()
        try:
            for line in process.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if "rows" in message:
                    job.rows = int(message["rows"])
                elif "summary" in message:
                    job.summary = message["summary"]
                elif "problems" in message:
                    job.problems = [Problem(**item) for item in message["problems"]]
            code = process.wait()
        finally:
            timer.cancel()
            process.stdout.close()
        job.input.unlink(missing_ok=True)  # the upload serves this scoring only
        if code == 0 and job.summary is not None:
            job.state = "done"
        else:
            job.state = "failed"
            job.output.unlink(missing_ok=True)
            if not job.problems:
                job.problems = [self._failure(job, code, time.monotonic() - started, timed_out.is_set())]
        job.finished = time.monotonic()
        expire = threading.Timer(self.expiry, self.expire, args=(job.id,))
        expire.daemon = True
        expire.start()

    def _failure(self, job: Job, code: int, seconds: float, timed_out: bool) -> Problem:
        try:
            with (job.directory / "worker.log").open("rb") as log:
                log.seek(0, 2)
                log.seek(max(0, log.tell() - _LOG_BYTES))
                tail = log.read().decode("utf-8", "replace")
        except OSError:
            tail = ""
        _logger.error("roster job %s: the worker ended with %s after %.1f s\n%s", job.id, code, seconds, tail)
        if timed_out:
            return Problem("roster", f"scoring took longer than {self.timeout:g} s and was stopped", job.name)
        return Problem(
            "roster", "scoring stopped unexpectedly (a damaged file?); the server log has the details", job.name
        )

    def take_output(self, job: Job) -> Path | None:
        """The scored file for its one download (the job is marked downloaded); None when it is not there."""
        with self._lock:
            if job.state != "done" or not job.output.is_file():
                return None
            job.state = "downloaded"
            return job.output

    def delete_files(self, job: Job) -> None:
        """Delete a job's files (after its download); the summary stays until the job expires."""
        shutil.rmtree(job.directory, ignore_errors=True)

    def expire(self, identifier: str) -> None:
        with self._lock:
            job = self._jobs.pop(identifier, None)
        if job is not None:
            shutil.rmtree(job.directory, ignore_errors=True)

    def close(self) -> None:
        """Stop every worker and delete every file (the server stops)."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
        for job in jobs:
            if job.process is not None and job.process.poll() is None:
                job.process.kill()
                job.process.wait()
        if self._cleanup is not None:
            self._cleanup()
