"""What every `sanji` command prints: a JSON result on stdout (--json) and Chinese messages
on stderr, exit status 2 for a refusal (README, "Commands")."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HUB_LEVEL = {"town": "镇", "county": "县"}


def fail(args: argparse.Namespace, code: str, message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    if getattr(args, "json", False):
        emit({"ok": False, "error": {"code": code, "message": message}})
    return 2


def emit(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))
