"""The files the autograder writes: ``results.json`` and ``feedback.md`` per student, and
``gradebook.csv`` for the batch (formats in :mod:`.autograder`'s docstring)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from .common import Assignment, Verdict


def write_results(sub, assignment, verdicts, run, status, seed, elapsed, out: Path) -> dict:
    tests = []
    total = 0.0
    for part in assignment.parts:
        v = verdicts.get(part.name) or Verdict(0.0, "not graded")
        score = round(v.fraction * part.points, 4)
        total += score
        tests.append(
            {
                "name": part.name,
                "score": score,
                "max_score": float(part.points),
                "output": v.message,
                "visibility": part.visibility,
            }
        )
    lines = [
        f"{assignment.title}: {total:g} / {assignment.max_score:g}",
        f"isolation: {run.isolation or 'none (the notebook did not run)'}",
        f"seed: {seed}",
    ]
    if status != "graded":
        lines.append(f"status: {status}")
    lines += [f"error: {e}" for e in run.errors[:50]]
    lines += [f"note: {n}" for n in sub.notes + run.notes]
    results = {
        "score": round(total, 4),
        "execution_time": round(elapsed, 2),
        "output": "\n".join(lines),
        "visibility": "visible",
        "tests": tests,
        "extra_data": {
            "student": sub.student,
            "submitted_as": sub.submitted_as or sub.student,
            "assignment": assignment.name,
            "seed": seed,
            "isolation": run.isolation,
            "status": status,
            "flags": sorted(set(run.flags)),
        },
    }
    folder = out / sub.student
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2), encoding="utf-8")
    os.replace(tmp, folder / "results.json")
    (folder / "feedback.md").write_text(feedback(sub, assignment, results, run), encoding="utf-8")
    return {
        "student": sub.student,
        "score": results["score"],
        "max_score": assignment.max_score,
        "parts": {t["name"]: t["score"] for t in tests},
        "status": status,
        "flags": list(results["extra_data"]["flags"]),
        "seconds": elapsed,
    }


def feedback(sub, assignment, results, run) -> str:
    md = [
        f"# {assignment.title}",
        "",
        f"Student: **{sub.student}**. Score: **{results['score']:g} / {assignment.max_score:g}**.",
        "",
        "| part | score | max |",
        "|---|---|---|",
    ]
    md += [f"| {t['name']} | {t['score']:g} | {t['max_score']:g} |" for t in results["tests"]]
    md += ["", "## Messages", ""]
    for t in results["tests"]:
        md.append(f"- **{t['name']}** ({t['score']:g}/{t['max_score']:g}): {t['output']}")
    status = results["extra_data"]["status"]
    if status != "graded":
        md += ["", f"**Not graded normally:** {status}"]
    if run.errors:
        md += ["", "## Errors while the notebook ran", ""]
        md += [f"- {e}" for e in run.errors[:50]]
    notes = sub.notes + run.notes
    if notes:
        md += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    md += [
        "",
        f"_Isolation: {run.isolation or 'the notebook did not run'}. "
        f"Inputs drawn with seed {results['extra_data']['seed']}._",
        "",
    ]
    return "\n".join(md)


def write_gradebook(out: Path, assignment: Assignment, rows: list[dict]) -> Path:
    """``out/gradebook.csv`` (written to a temporary name, then renamed into place). No student
    folder can be called ``gradebook.csv`` (:data:`.submissions.RESERVED`)."""
    path = out / "gradebook.csv"
    tmp = out / "gradebook.csv.tmp"
    names = [p.name for p in assignment.parts]
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score", *names, "status", "flags"])
        for r in sorted(rows, key=lambda r: r["student"]):
            w.writerow(
                [
                    r["student"],
                    f"{r['score']:g}",
                    f"{r['max_score']:g}",
                    *(f"{r['parts'].get(n, 0):g}" for n in names),
                    r["status"],
                    "; ".join(r["flags"]),
                ]
            )
    os.replace(tmp, path)
    return path
