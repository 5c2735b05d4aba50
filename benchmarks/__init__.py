"""Benchmarks of ODMantic's engines against the raw driver (``python -m benchmarks``).

See ``benchmarks/workloads.py`` for the workloads, ``benchmarks/report.py`` for the output and
``benchmarks/peers.py`` for the optional comparison with other ODM installs.
"""
