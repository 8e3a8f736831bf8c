"""Time and peak memory of demo-data, ingest and the full profile on demo worlds of growing scale.

Run: ``uv run python benchmarks/scale.py [--scales 1 10 35] [--work DIR] [--keep]``.

Each step runs in its own process, started through a small wrapper that writes the process's
own peak resident memory (``getrusage(RUSAGE_SELF).ru_maxrss``, which covers the engine's
threads) to a file when the step ends, so every step's peak is measured alone. Steps:

- ``demo-data``: ``vawgscope demo-data OUT --scale S`` (Parquet);
- ``ingest``: ``vawgscope ingest OUT --store STORE``;
- ``profile``: ``vawgscope profile STORE --out DIR`` (profile.json and the report);
- ``profile-json``: the profile alone, without the report: ``Dataset.open`` + ``build_profile``
  + ``write_profile``, timing every analysis (the time from one ``progress`` call to the next).

Targets (the issue): full profile at scale 1 under 20 s; at scale 35 under 5 minutes with peak
memory under 12 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Runs ``python -m MODULE ARGS...`` or ``python -c CODE ARGS...`` and writes the peak
#: resident memory (kB on Linux) to $VAWGSCOPE_BENCH_RSS when the step ends, however it ends.
WRAPPER = """
import os, resource, runpy, sys
kind, target, *args = sys.argv[1:]
try:
    if kind == "-m":
        sys.argv = [target, *args]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *args]
        exec(compile(target, "<step>", "exec"), {"__name__": "__main__"})
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(os.environ["VAWGSCOPE_BENCH_RSS"], "w") as handle:
        handle.write(str(peak))
"""

#: The profile without the report, timing each analysis and the work after the last one.
PROFILE_JSON = """
import json, sys, time
from pathlib import Path
from vawgscope import profile as profile_module
from vawgscope.dataset import Dataset

store, out, timings_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
marks = []
def mark(name):
    marks.append((name, time.perf_counter()))

# The work build_profile does after its last analysis is timed on its own.
for name in ("dataset_section", "_kent_window_headlines"):
    original = getattr(profile_module, name)
    def timed(ds, _original=original, _name=name):
        mark("(" + _name + ")")
        return _original(ds)
    setattr(profile_module, name, timed)

started = time.perf_counter()
mark("(Dataset.open: scope and window)")
ds = Dataset.open(store)
profile = profile_module.build_profile(ds, progress=mark)
mark("(write_profile)")
profile_module.write_profile(profile, out)
mark("(end)")
timings = [
    {"step": name, "seconds": later - at}
    for (name, at), (_, later) in zip(marks, marks[1:])
]
crimes = profile["dataset"]["crimes"]
Path(timings_path).write_text(json.dumps({"timings": timings, "crimes": crimes}))
print(f"profile.json in {time.perf_counter() - started:.1f} s")
"""

TARGET_PROFILE_SECONDS = {1: 20.0, 35: 300.0}
TARGET_PEAK_MB = {35: 12 * 1024}
#: (result key, targets by scale, how a value is shown) for each target of the issue.
TARGETS: tuple[tuple[str, dict[float, float], str], ...] = (
    ("seconds", TARGET_PROFILE_SECONDS, "{:.1f} s"),
    ("peak_mb", TARGET_PEAK_MB, "{:,.0f} MB"),
)


def run_step(kind: str, target: str, args: list[str], work: Path, log: Path) -> tuple[float, float]:
    """Run one step in its own process; return (seconds, peak MB)."""
    rss = work / ".peak_rss"
    rss.unlink(missing_ok=True)
    env = {**os.environ, "VAWGSCOPE_BENCH_RSS": str(rss), "COLUMNS": "120"}
    started = time.perf_counter()
    with log.open("w") as handle:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, kind, target, *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"step failed ({done.returncode}); see {log}")
    return seconds, int(rss.read_text()) / 1024


def crimes_rows(store: Path) -> int:
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM crimes").fetchone()[0])


def measure(scale: float, work: Path) -> tuple[list[dict], list[dict]]:
    """All steps at one scale; returns the table rows and the per-analysis timings."""
    tag = f"{scale:g}"
    data, store = work / f"data{tag}", work / f"store{tag}.duckdb"
    out, out_json = work / f"out{tag}", work / f"json{tag}"
    timings_path = work / f"timings{tag}.json"
    secret = str(work / "secret.key")
    cli = "vawgscope.cli"
    steps = [
        ("demo-data", "-m", cli, ["demo-data", str(data), "--scale", str(scale)]),
        (
            "ingest",
            "-m",
            cli,
            ["ingest", str(data), "--store", str(store), "--secret", str(secret)],
        ),
        ("profile", "-m", cli, ["profile", str(store), "--out", str(out)]),
        ("profile-json", "-c", PROFILE_JSON, [str(store), str(out_json), str(timings_path)]),
    ]
    results = []
    for name, kind, target, args in steps:
        seconds, peak = run_step(kind, target, args, work, work / f"{name}{tag}.log")
        rows = crimes_rows(store) if name != "demo-data" else None
        results.append({"scale": scale, "step": name, "seconds": seconds, "peak_mb": peak})
        print(f"{tag:>6} {name:<13} {seconds:>9.1f} {peak:>9,.0f}", flush=True)
        if rows is not None:
            results[-1]["rows"] = rows
    in_scope = json.loads(timings_path.read_text())
    for r in results:
        if r["step"] == "demo-data":
            r["rows"] = results[1]["rows"]  # the crimes the world holds, as ingested
        if r["step"].startswith("profile"):
            r["in_scope"] = in_scope["crimes"]
        if r["step"] == "profile-json":
            # Without the start-up of the process (imports): the time the profile itself takes.
            r["in_process"] = sum(t["seconds"] for t in in_scope["timings"])
    return results, in_scope["timings"]


def print_targets(results: list[dict]) -> None:
    print("\nAgainst the targets (full profile = `vawgscope profile`, report included):")
    for r in results:
        if r["step"] != "profile":
            continue
        for key, targets, shown in TARGETS:
            target = targets.get(r["scale"])
            if target is None:
                continue
            verdict = "met" if r[key] < target else "MISSED"
            print(
                f"  scale {r['scale']:g}: {shown.format(r[key])} of {shown.format(target)} "
                f"({r[key] / target:.2f} of the target) {verdict}"
            )
    profiles = [r for r in results if r["step"] == "profile"]
    if len(profiles) > 1:
        a, b = profiles[0], profiles[-1]
        print(
            f"  scale {a['scale']:g} → {b['scale']:g}: crimes ×{b['rows'] / a['rows']:.1f}, "
            f"profile time ×{b['seconds'] / a['seconds']:.1f}, "
            f"peak memory ×{b['peak_mb'] / a['peak_mb']:.1f}"
        )
        if 35 not in TARGET_PROFILE_SECONDS or b["scale"] == 35:
            return
        # A linear extrapolation from the largest scale run, for orientation only.
        per_scale = b["seconds"] / b["scale"]
        print(f"  linear extrapolation to scale 35: about {per_scale * 35:.0f} s")


def print_slowest(timings: list[dict], scale: float, top: int = 10) -> None:
    total = sum(t["seconds"] for t in timings)
    print(f"\nSlowest steps of the profile at scale {scale:g} (of {total:.1f} s without report):")
    for t in sorted(timings, key=lambda t: -t["seconds"])[:top]:
        print(f"  {t['step']:<40} {t['seconds']:>8.2f} s {t['seconds'] / total:>6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 35.0])
    parser.add_argument("--work", type=Path, help="Folder for the worlds, stores and profiles.")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    parser.add_argument("--json", type=Path, help="Also write every figure to this JSON file.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="vawgscope-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder {work}")
    print(f"{'scale':>6} {'step':<13} {'seconds':>9} {'peak MB':>9}")
    results: list[dict] = []
    timings: dict[float, list[dict]] = {}
    try:
        for scale in sorted(args.scales):
            rows, timings[scale] = measure(scale, work)
            results.extend(rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{'scale':>6} {'step':<13} {'seconds':>9} {'peak MB':>9} {'crimes':>11} "
        f"{'in scope':>10} {'in-process s':>13}"
    )
    for r in results:
        in_scope = f"{r['in_scope']:,}" if "in_scope" in r else ""
        in_process = f"{r['in_process']:.1f}" if "in_process" in r else ""
        print(
            f"{r['scale']:>6g} {r['step']:<13} {r['seconds']:>9.1f} {r['peak_mb']:>9,.0f} "
            f"{r['rows']:>11,} {in_scope:>10} {in_process:>13}"
        )
    print_targets(results)
    largest = max(timings)
    print_slowest(timings[largest], largest)
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "timings": {str(k): v for k, v in timings.items()}})
        )


if __name__ == "__main__":
    main()
