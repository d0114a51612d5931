"""Benchmark of `eligibility batch`: end to end against the floor of reading and writing.

Generates N synthetic applicants (every region with a pack, Chinese and English
values, unknown cells, 0.1% bad rows) as a CSV, then in the same run times:
- end to end: `eligibility batch IN --out OUT.csv --format ids --quiet` as a
  subprocess, with the child's peak resident memory (ru_maxrss, through a small
  launcher process);
- the floor: `polars.read_csv` of the same input plus `write_csv` of an output of
  equal length (the batch's own output, read back untimed), each run right after
  a batch run (interleaved), the ratio taken per pair, with the load average;
- the readable layouts an officer opens, in Chinese: a CSV and an .xlsx workbook
  (one column per benefit, amounts in 万元, summary sheets), against the ids run,
  and the writing alone (rows already scored, in memory), rows per second;
- the columnar evaluator alone, in memory, on N validated Aksu profiles (years
  served at the as-of date, every rule's status and amount, exclusivity, the
  total; not the output strings): the five housing tiers, and the whole Aksu pack.

Usage: python benchmarks/batch.py [N ...] [--repeat R] [--keep DIR] [--ids-only]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from eligibility.batch.columns import validate
from eligibility.batch.evaluator import ColumnarEvaluator
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.catalogue import Catalogue

AS_OF = date(2025, 6, 1)


def synthetic_roster(rows: int, regions: list[str], seed: int = 5) -> pl.DataFrame:
    """N applicants as text cells; built from a small pool of random rows, shuffled, to generate fast."""
    rng = random.Random(seed)
    pool = 50_000

    def pick(key: str) -> list[str]:
        spec = FIELDS[key]
        choices = [""] + [spelling for value in spec.values for spelling in (value.code, *value.spellings[:1])]
        return [rng.choice(choices) for _ in range(pool)]

    start = date(2012, 1, 1)
    dates = [
        ""
        if rng.random() < 0.1
        else (start + timedelta(days=rng.randrange(5200))).strftime(rng.choice(["%Y-%m-%d", "%Y/%-m/%-d"]))
        for _ in range(pool)
    ]
    region_cells = [rng.choice(regions) for _ in range(pool)]
    for index in range(0, pool, 1000):  # 0.1% bad rows
        region_cells[index] = "nowhere"
    base = pl.DataFrame(
        {
            "region": region_cells,
            "zone": [rng.choice(["", "", "aksu_alar_hitech_zone"]) for _ in range(pool)],
            "degree": pick("degree"),
            "title": pick("title"),
            "skill_level": pick("skill_level"),
            "introduction": pick("introduction"),
            "service_start_date": dates,
            "bought_home_in_region": [rng.choice(["", "是", "否", "yes", "no"]) for _ in range(pool)],
            "scarce_skill": [rng.choice(["", "是", "否"]) for _ in range(pool)],
            "programmes": [rng.choice(["", "", "", "tuofeng"]) for _ in range(pool)],
            "awards": [
                rng.choice(["", "", "", "", "national:200000:国家科技进步奖;district:5000"]) for _ in range(pool)
            ],
        }
    )
    picks = pl.Series("pick", [rng.randrange(pool) for _ in range(min(rows, 200_000))])
    index = pl.int_range(0, rows, eager=True).alias("i")
    order = (index * 7919 + index // 200_000) % pool if rows > 200_000 else picks
    frame = base[order]
    return frame.insert_column(0, pl.format("A{}", index).alias("id"))


# A child's peak RSS (ru_maxrss) counts the memory of the process that forked it, as
# of the exec: launched straight from this process, which holds the generated
# roster, it would be overstated. A small launcher process starts the batch instead.
LAUNCHER = """
import json, os, resource, subprocess, sys, time
started = time.perf_counter()
status = subprocess.call(sys.argv[1:])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"status": status, "seconds": seconds, "peak": peak}))
"""


def child_run(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one run of `command`, started by a small launcher."""
    result = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["status"] != 0:
        sys.exit(f"batch failed with exit status {figures['status']}: {result.stderr}")
    return float(figures["seconds"]), int(figures["peak"])


def evaluator_rate(catalogue: Catalogue, rows: int, housing_only: bool) -> float:
    loaded = catalogue.loaded_pack("aksu")
    assert loaded is not None, "the Aksu pack is needed for the evaluator figure"
    if housing_only:
        kept = [
            (rule, condition)
            for rule, condition in zip(loaded.pack.rules, loaded.conditions, strict=True)
            if ".housing." in rule.id
        ]
        pack = loaded.pack.model_copy(update={"rules": tuple(rule for rule, _ in kept)})
        loaded = dataclasses.replace(loaded, pack=pack, conditions=tuple(condition for _, condition in kept))
    raw = synthetic_roster(rows, ["aksu"]).with_columns(pl.lit("aksu").alias("region"))
    facts = validate(raw, {}, AS_OF)
    evaluator = ColumnarEvaluator([loaded], AS_OF)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        rule_frame = evaluator.rule_frame(facts, "aksu")
        rule_frame.select(evaluator.total("aksu"))
        timings.append(time.perf_counter() - started)
    return rows / sorted(timings)[1]


def xlsx_write_rate(catalogue: Catalogue, rows: int, directory: Path) -> tuple[float, float]:
    """Rows per second of the readable layouts written alone (scored rows in memory; parts, then the file), xlsx
    and csv, in Chinese."""
    from eligibility.batch.run import score_chunk
    from eligibility.batch.summary import BatchSummary
    from eligibility.batch.writing import RosterWriter

    evaluator = ColumnarEvaluator(catalogue.loaded, AS_OF)
    raw = synthetic_roster(rows, catalogue.regions)
    chunks = []
    for start in range(0, rows, 100_000):
        scored, _ = score_chunk(evaluator, validate(raw.slice(start, 100_000), {}, AS_OF), start)
        chunks.append(scored)
    rules = {region: pack.rules for region, pack in evaluator.packs.items()}
    rates = []
    for format in ("xlsx", "csv"):
        started = time.perf_counter()
        writer = RosterWriter(directory / f"written.{format}", format, [], "zh", catalogue, rules)
        for chunk in chunks:
            writer.write(chunk)
        writer.commit(BatchSummary("roster.csv", f"written.{format}", AS_OF.isoformat(), catalogue.rules_version))
        rates.append(rows / (time.perf_counter() - started))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="*", type=int, default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is shown")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    parser.add_argument("--ids-only", action="store_true", help="only the ids run against the floor")
    arguments = parser.parse_args()
    catalogue = Catalogue.from_directory()
    executable = shutil.which("eligibility") or sys.exit("eligibility is not installed in this environment")
    print(f"cpus: {os.cpu_count()}  polars {pl.__version__}  regions: {', '.join(catalogue.regions)}")
    for rows in arguments.rows:
        directory = Path(arguments.keep or tempfile.mkdtemp(prefix="batch-bench-"))
        directory.mkdir(parents=True, exist_ok=True)
        source, scored, floor_out = directory / "roster.csv", directory / "scored.csv", directory / "floor.csv"
        synthetic_roster(rows, catalogue.regions).write_csv(source)
        command = [executable, "batch", str(source), "--quiet", "--as-of", AS_OF.isoformat()]
        first = child_run([*command, "--out", str(scored), "--format", "ids"])  # warm: file cache, pack cache
        output = pl.read_csv(scored, infer_schema=False)
        assert output.height == rows, f"{output.height} output rows for {rows} input rows"
        runs, floors, ratios = [first], [], []
        for index in range(arguments.repeat):  # interleaved: batch, floor, batch, floor ...
            if index:
                runs.append(child_run([*command, "--out", str(scored), "--format", "ids"]))
            started = time.perf_counter()
            pl.read_csv(source, infer_schema=False)
            output.write_csv(floor_out)
            floors.append(time.perf_counter() - started)
            ratios.append(runs[-1][0] / floors[-1])
        batch_seconds = statistics.median(seconds for seconds, _ in runs)
        floor = statistics.median(floors)
        peak = max(rss for _, rss in runs)
        del output
        size = source.stat().st_size / 1e6
        print(
            f"{rows:>10,} rows ({size:,.0f} MB CSV): batch {batch_seconds:.2f} s = {rows / batch_seconds:,.0f} rows/s; "
            f"floor {floor:.2f} s; ratio {statistics.median(ratios):.1f}x (per pair: "
            f"{', '.join(f'{ratio:.1f}' for ratio in ratios)}); peak RSS {peak / 2**20:,.0f} MiB; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        if arguments.ids_only:
            if arguments.keep is None:
                shutil.rmtree(directory)
            continue
        for name in ("scored.csv", "scored.xlsx"):
            readable = [
                child_run([*command, "--out", str(directory / name), "--lang", "zh"]) for _ in range(arguments.repeat)
            ]
            seconds = sorted(seconds for seconds, _ in readable)[len(readable) // 2]
            print(
                f"{'':>10} readable {name.split('.')[1]:<4} (zh): {seconds:.2f} s = {rows / seconds:,.0f} rows/s; "
                f"{seconds / batch_seconds:.2f}x the ids run; peak RSS {max(rss for _, rss in readable) / 2**20:,.0f} MiB"
            )
        xlsx_rate, csv_rate = xlsx_write_rate(catalogue, rows, directory)
        print(
            f"{'':>10} writing alone (zh, rows scored in memory): xlsx {xlsx_rate:,.0f} rows/s, csv {csv_rate:,.0f} rows/s"
        )
        if arguments.keep is None:
            shutil.rmtree(directory)
    evaluated = min(max(arguments.rows), 1_000_000)
    for housing_only, label in ((True, "Aksu housing tiers"), (False, "whole Aksu pack")):
        if arguments.ids_only:
            break
        rate = evaluator_rate(catalogue, evaluated, housing_only)
        print(f"evaluator alone, {label}, {evaluated:,} profiles in memory: {rate / 1e6:.1f} M profiles/s")


if __name__ == "__main__":
    main()
