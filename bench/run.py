"""make bench: run every benchmark in bench/ (or those named), print, keep JSON results.

Each benchmark is a module ``bench/bench_<name>.py`` with ``run() -> dict``, which writes its
own ``bench/results/<name>.json``, and ``print_table(results)``. Ratios against a ceiling measured
in the same run are what to compare across machines; absolute times drift.

    .venv/bin/python bench/run.py            # all
    .venv/bin/python bench/run.py synth      # one
"""

import importlib.util
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    found = sorted(BENCH.glob("bench_*.py"))
    chosen = [p for p in found if not names or p.stem.removeprefix("bench_") in names]
    if not chosen:
        print(f"no benchmark named {names}; have {[p.stem for p in found]}")
        return 2
    summary = {}
    for path in chosen:
        name = path.stem.removeprefix("bench_")
        print(f"== {name}")
        started = time.perf_counter()
        module = _load(path)
        results = module.run()
        module.print_table(results)
        summary[name] = {"seconds": round(time.perf_counter() - started, 1)}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
