"""Held-out evaluation of the NLU pipeline (see eval/evaluate.py)."""
