"""A real local Spark session: local[2], bound to 127.0.0.1, its Python workers running this interpreter.

Java comes from Debian's packages (.ci/run installs openjdk-17-jre-headless when
there is none); without it the Spark tests fail, saying so. Start one session per
run: it costs several seconds of both cores.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def spark_session(warehouse: Path) -> Iterator[Any]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise RuntimeError("no Java runtime for Spark: apt-get install openjdk-17-jre-headless (.ci/run does)")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # else Spark binds a non-loopback address
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers import eligibility and polars from this environment
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("eligibility-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
