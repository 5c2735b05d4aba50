"""CLI: ``python -m codegen`` regenerates, ``python -m codegen --check`` verifies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.names import MUST_FIRE
from codegen.run import REPO_ROOT, check, write
from codegen.transform import CodegenError


def main(argv: list[str] | None = None, must_fire: frozenset[str] = MUST_FIRE) -> int:
    """Run the generator; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail with a diff if outputs are stale"
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            diff = check(args.root, must_fire)
            if diff:
                sys.stdout.write(diff)
                print("codegen: generated files are out of date; run `python -m codegen`")
                return 1
            print("codegen: OK, generated files are up to date")
        else:
            touched = write(args.root, must_fire)
            print(f"codegen: {len(touched)} file(s) written or deleted", *touched, sep="\n  ")
    except CodegenError as exc:
        print(*exc.problems, sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
