"""Evaluating applicants: the calculator, the outcome policy, near misses, explanations, what-if, compare, the report."""
