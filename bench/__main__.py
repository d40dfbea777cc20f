"""``python -m bench [--only NAME] [--smoke]``: run the benchmarks, one JSON line per
measurement. A benchmark that fails is named on stderr and the others still run; the exit status
is non-zero when any failed."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback

BENCHMARKS = ["roster_import", "exam_load", "certificates_bulk", "dashboard", "cluster"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="small sizes (as BENCH_SMOKE=1): checks that every benchmark still runs",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        os.environ["BENCH_SMOKE"] = "1"  # read by bench.common on import, below
    failed = []
    for name in [args.only] if args.only else BENCHMARKS:
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").run()
        except Exception:
            traceback.print_exc()
            print(f"bench: {name} FAILED", file=sys.stderr, flush=True)
            failed.append(name)
        else:
            seconds = time.perf_counter() - started
            print(f"bench: {name} done in {seconds:.0f} s", file=sys.stderr, flush=True)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
