"""Benchmarks (not tests): ``python -m bench.conversations`` and ``python -m bench.routing``.

The machine they run on is shared and noisy, so every figure is reported next to a baseline
measured in the same run (the echo bot for conversations), and absolute numbers are only
comparable between runs of the same machine.
"""
