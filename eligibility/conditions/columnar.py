"""The polars backend: a normalised condition as one nullable boolean expression (Kleene logic).

Over a frame of facts (facts/derive.py `fact_columns`), null is unknown: polars'
`&`, `|` and `~` on nullable booleans are Kleene's, as `Node.outcome` is. How a
test reads its column is its primitive's business (conditions/operators.py).
"""

from __future__ import annotations

from functools import reduce

import polars as pl

from eligibility.conditions.form import Group, Named, Node, Not, Test


def compile_node(node: Node) -> pl.Expr:
    """A nullable boolean expression: true, false, or null when unknown facts decide it."""
    if isinstance(node, Test):
        return node.primitive.polars(pl.col(node.field))
    if isinstance(node, Named):
        return compile_node(node.part)
    if isinstance(node, Not):
        return ~compile_node(node.part)
    assert isinstance(node, Group)
    parts = [compile_node(part) for part in node.members]
    if node.conjunction:
        return reduce(lambda left, right: left & right, parts) if parts else pl.lit(True)
    return reduce(lambda left, right: left | right, parts) if parts else pl.lit(False)
