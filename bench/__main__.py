"""``python -m bench [--only NAME]``: run the benchmarks, one JSON line per measurement."""

from __future__ import annotations

import argparse
import importlib

BENCHMARKS = ["roster_import", "exam_load", "certificates_bulk", "dashboard"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    args = parser.parse_args()
    for name in [args.only] if args.only else BENCHMARKS:
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main()
