"""Ingest time and peak memory for crimes files of growing size: memory must stay flat.

Run: ``uv run python benchmarks/ingest_memory.py [--rows 100000 1000000 4000000]``.
Each ingest runs in its own process so its peak resident memory is measured alone.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vawgscope.contract.tables import TABLES

CHILD = """
import sys
from pathlib import Path
from vawgscope.ingest import ingest
report = ingest(Path(sys.argv[1]), Path(sys.argv[2]), secret_path=Path(sys.argv[3]))
print(report.tables["crimes"].loaded, report.tables["crimes"].rejected)
"""

GROUPS = ["harassment", "stalking", "violence_without_injury", "violence_with_injury", "rape"]


def write_crimes(path: Path, rows: int) -> None:
    """A crimes-only CSV with one bad row in every 10,000 (so rejects are exercised too): the
    contract's required columns, a location, and a free-text column ingest drops."""
    columns = [*TABLES["crimes"].required_columns, "easting", "northing", "note"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for i in range(rows):
            day = 1 + i % 28
            group = "bad_group" if i % 10_000 == 9_999 else GROUPS[i % len(GROUPS)]
            writer.writerow(
                {
                    "crime_id": f"C{i:09d}",
                    "recorded_date": f"2021-03-{day:02d}",
                    "occurred_from": f"2021-03-{day:02d}T{i % 24:02d}:15:00",
                    "offence_group": group,
                    "domestic": "true" if i % 3 else "false",
                    "location_type": "dwelling",
                    "easting": 570_000 + i % 9_000,
                    "northing": 150_000 + i % 7_000,
                    "note": "free text, with a comma",
                }
            )


def measure(rows: int, work: Path) -> tuple[float, float, float]:
    data = work / f"d{rows}"
    data.mkdir()
    write_crimes(data / "crimes.csv", rows)
    size_mb = (data / "crimes.csv").stat().st_size / 1e6
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(data),
            str(work / f"s{rows}.duckdb"),
            str(work / "secret.key"),
        ],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    del before
    return size_mb, seconds, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 4_000_000])
    args = parser.parse_args()
    print(f"{'rows':>10} {'file MB':>9} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sorted(args.rows):
            # RUSAGE_CHILDREN keeps the largest child so far: run smallest first.
            size, seconds, peak = measure(rows, Path(tmp))
            results.append((rows, size, peak))
            print(f"{rows:>10,} {size:>9.1f} {seconds:>8.1f} {rows / seconds:>10,.0f} {peak:>8.0f}")
    (_, s0, p0), (_, s1, p1) = results[0], results[-1]
    print(f"file size ratio {s1 / s0:.1f}x; peak memory ratio {p1 / p0:.2f}x")


if __name__ == "__main__":
    main()
