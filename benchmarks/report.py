"""Render benchmark results: markdown table, JSON, and an optional matplotlib bar chart."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.workloads import Measurement


def as_rows(results: Sequence[Measurement]) -> list[dict[str, Any]]:
    """One plain dict per measurement (medians in ms, ratio, target, verdict, raw timings)."""
    return [
        {
            "workload": m.workload,
            "twin": m.twin,
            "odm_ms": round(m.odm_ms, 3),
            "raw_ms": round(m.raw_ms, 3),
            "ratio": round(m.ratio, 3),
            "target": m.target,
            "passed": m.passed,
            "odm_runs_ms": [round(s * 1000, 3) for s in m.odm_s],
            "raw_runs_ms": [round(s * 1000, 3) for s in m.raw_s],
        }
        for m in results
    ]


def markdown(
    results: Sequence[Measurement],
    facts: Mapping[str, str],
    method: str,
    notes: Sequence[str] = (),
) -> str:
    """The machine facts, the one-line method, the ratio table and any notes, as markdown."""
    lines = ["# ODMantic benchmarks: ODM time / raw driver time", ""]
    lines += [f"- **{key}**: {value}" for key, value in facts.items()]
    lines += ["", f"How it was measured: {method}", ""]
    lines += [
        "| workload | twin | ODM ms | raw ms | ratio | target | PASS/MISS |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for m in results:
        verdict = "PASS" if m.passed else "**MISS**"
        lines.append(
            f"| {m.workload} | {m.twin} | {m.odm_ms:.1f} | {m.raw_ms:.1f} | {m.ratio:.2f} "
            f"| {m.target:g} | {verdict} |"
        )
    missed = sum(not m.passed for m in results)
    lines += ["", f"{len(results) - missed}/{len(results)} within target."]
    if notes:
        lines += [""] + [f"Note: {note}" for note in notes]
    return "\n".join(lines) + "\n"


def to_json(
    results: Sequence[Measurement],
    facts: Mapping[str, str],
    method: str,
    notes: Sequence[str] = (),
) -> str:
    """The same content as :func:`markdown`, as indented JSON."""
    payload: dict[str, Any] = {"facts": dict(facts), "method": method, "notes": list(notes)}
    payload["results"] = as_rows(results)
    return json.dumps(payload, indent=2)


def write_png(results: Sequence[Measurement], path: Path) -> str | None:
    """Draw ratios as grouped bars (one group per workload, one bar per twin, targets dashed).

    Returns:
        None on success, otherwise why nothing was written (matplotlib missing).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'odmantic[bench]'); no chart written"
    workloads = list(dict.fromkeys(m.workload for m in results))
    twins = list(dict.fromkeys(m.twin for m in results))
    by_key = {(m.workload, m.twin): m for m in results}
    width = 0.8 / max(len(twins), 1)
    fig, ax = plt.subplots(figsize=(1.6 * len(workloads) + 2, 4.5))
    for t, twin in enumerate(twins):
        xs = [w + (t - (len(twins) - 1) / 2) * width for w in range(len(workloads))]
        ys = [by_key[(w, twin)].ratio if (w, twin) in by_key else 0 for w in workloads]
        ax.bar(xs, ys, width, label=twin)
    for w, name in enumerate(workloads):
        target = next(m.target for m in results if m.workload == name)
        ax.hlines(target, w - 0.45, w + 0.45, colors="black", linestyles="dashed")
    ax.set_xticks(range(len(workloads)), workloads)
    ax.set_ylabel("ODM time / raw driver time (dashed: target)")
    ax.axhline(1.0, color="grey", linewidth=0.5)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None
