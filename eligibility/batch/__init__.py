"""Batch scoring of rosters (CSV, .xlsx) in columns: read, validate, evaluate, write.

Imports polars: only the `eligibility batch` path and the library's batch users import it.
"""

from eligibility.batch.evaluator import ColumnarEvaluator
from eligibility.batch.run import BatchOptions, run_batch
from eligibility.batch.summary import BatchSummary

__all__ = ["BatchOptions", "BatchSummary", "ColumnarEvaluator", "run_batch"]
