"""Summaries of py-spy's collapsed stacks ("raw" format): where the CPU time went.

    python -m bench.profiles FILE [--top 25] [--match sync/]
"""
from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def frames(stack: str) -> list[str]:
    out = []
    for frame in stack.split(";"):
        match = FRAME.match(frame.strip())
        if match is None:
            out.append(frame.strip())
            continue
        path = match["file"]
        for marker in ("site-packages/", "python3.11/", "/work/main/"):
            if marker in path:
                path = path.split(marker, 1)[1]
        out.append(f"{match['func']} ({path})")
    return out


def summarise(path: Path, top: int = 25, match: str = "") -> str:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        names = frames(stack)
        py = [n for n in names if not n.startswith("thread ") and not n.startswith("process ")]
        if py:
            own[py[-1]] += count
        for name in set(py):
            total[name] += count
    lines = [f"{path.name}: {samples} samples"]
    lines.append("  own time (the function itself):")
    lines += [f"    {100 * c / samples:5.1f}%  {name}" for name, c in own.most_common(top)]
    lines.append(f"  inclusive time{' (' + match + ')' if match else ''}:")
    chosen = [(n, c) for n, c in total.most_common() if match in n][:top]
    lines += [f"    {100 * c / samples:5.1f}%  {name}" for name, c in chosen]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiles")
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="")
    args = parser.parse_args(argv)
    print(summarise(args.file, args.top, args.match))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
