"""How big a payload may be: the limits every event schema keeps within, and a checker.

A payload that nests 260 lists deep once passed the hubs (a free `config.set` value) and
then made every pull of that hub fail (issue #7 item 6). So every event schema bounds
every part of what it accepts: each string has a maxLength (or an enum, or a pattern of
bounded width), each number a minimum and a maximum, each array a maxItems, each object
a closed set of properties or maxProperties with bounded property names, and nothing is
left free. `bounds()` computes, from a schema alone, the deepest and the longest
canonical JSON a valid payload can have; tests/schemas checks every schema with it.
Values whose shape the domain checks later (a town's rule value, a catalog entry) use
the shared bounded `json_value` of schemas/bounded.json.

The wire decoder (sync.wire) refuses a body nested deeper than a hub could send on, and
sync.events refuses a payload longer than MAX_PAYLOAD_CHARS whatever its schema says.
"""
from __future__ import annotations

import json
import re._parser as sre_parse  # type: ignore[import-not-found]  # no stubs: CPython internals
from dataclasses import dataclass, field
from typing import Any

MAX_PAYLOAD_DEPTH = 8             # objects/arrays inside one another, the payload included
MAX_PAYLOAD_CHARS = 512 * 1024    # canonical JSON of one payload (the largest schema: 400,077)

_ESCAPED = 1                      # characters counted once (a control character takes 6)


@dataclass
class Bounds:
    depth: int = 0                # nesting of the deepest valid value (a scalar: 0)
    chars: int = 0                # longest canonical JSON of a valid value
    loose: list[str] = field(default_factory=list)   # where the schema bounds nothing

    @property
    def bounded(self) -> bool:
        return not self.loose


def bounds(schema: dict[str, Any]) -> Bounds:
    """The depth and length limits a schema implies; `loose` names what it leaves open."""
    out = Bounds()
    out.depth, out.chars = _walk(schema, schema, "$", out.loose, ())
    return out


def _walk(node: Any, root: dict[str, Any], path: str, loose: list[str],
          refs: tuple[str, ...]) -> tuple[int, int]:
    if not isinstance(node, dict):
        loose.append(f"{path}: 不是对象的 schema")
        return 0, 0
    if "$ref" in node:
        ref = node["$ref"]
        if ref in refs or not ref.startswith("#/"):
            loose.append(f"{path}: 递归或外部引用 {ref}")
            return 0, 0
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return _walk(target, root, path, loose, (*refs, ref))
    if "const" in node:
        return _literal([node["const"]])
    if "enum" in node:
        return _literal(node["enum"])
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        found = [_walk(sub, root, f"{path}|{i}", loose, refs)
                 for i, sub in enumerate(alternatives)]
        return max(d for d, _ in found), max(c for _, c in found)
    kinds = node.get("type")
    if kinds is None:
        loose.append(f"{path}: 没有限定类型")
        return 0, 0
    depth, chars = 0, 0
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        d, c = _one_type(kind, node, root, path, loose, refs)
        depth, chars = max(depth, d), max(chars, c)
    return depth, chars


def _literal(values: list[Any]) -> tuple[int, int]:
    return 0, max(len(json.dumps(v, ensure_ascii=False, separators=(",", ":")))
                  for v in values)


def _one_type(kind: str, node: dict[str, Any], root: dict[str, Any], path: str,
              loose: list[str], refs: tuple[str, ...]) -> tuple[int, int]:
    if kind == "null":
        return 0, 4
    if kind == "boolean":
        return 0, 5
    if kind in ("integer", "number"):
        if "minimum" not in node or "maximum" not in node:
            loose.append(f"{path}: 数字没有上下限")
            return 0, 0
        return 0, max(len(str(node["minimum"])), len(str(node["maximum"]))) + (
            0 if kind == "integer" else 24)
    if kind == "string":
        return 0, 2 + _ESCAPED * _string_length(node, path, loose)
    if kind == "array":
        items = node.get("items")
        if "maxItems" not in node or not isinstance(items, dict):
            loose.append(f"{path}: 数组没有 maxItems 或 items")
            return 1, 0
        d, c = _walk(items, root, f"{path}[]", loose, refs)
        return d + 1, 2 + node["maxItems"] * (c + 1)
    if kind == "object":
        return _object(node, root, path, loose, refs)
    loose.append(f"{path}: 不认识的类型 {kind}")
    return 0, 0


def _string_length(node: dict[str, Any], path: str, loose: list[str]) -> int:
    if "maxLength" in node:
        return int(node["maxLength"])
    if "pattern" in node:
        pattern = node["pattern"]
        widest: int = sre_parse.parse(pattern).getwidth()[1]
        if pattern.startswith("^") and pattern.endswith("$") and widest < sre_parse.MAXREPEAT:
            return widest
    loose.append(f"{path}: 字符串没有 maxLength")
    return 0


def _object(node: dict[str, Any], root: dict[str, Any], path: str, loose: list[str],
            refs: tuple[str, ...]) -> tuple[int, int]:
    depth, chars = 0, 2
    for name, sub in node.get("properties", {}).items():
        d, c = _walk(sub, root, f"{path}.{name}", loose, refs)
        depth, chars = max(depth, d), chars + len(name) + 4 + c
    extra = node.get("additionalProperties", True)
    if extra is False:
        return depth + 1, chars
    names = node.get("propertyNames")
    count = node.get("maxProperties")
    if isinstance(names, dict) and "enum" in names:
        count = min(count or len(names["enum"]), len(names["enum"]))
    if extra is True or not isinstance(extra, dict) or count is None \
            or not isinstance(names, dict):
        loose.append(f"{path}: 对象可以有任意多、任意名字的字段")
        return depth + 1, chars
    _, key = _walk({"type": "string", **names}, root, f"{path}{{key}}", loose, refs)
    d, c = _walk(extra, root, f"{path}.*", loose, refs)
    return max(depth, d) + 1, chars + count * (key + c + 2)


def too_deep(value: Any, limit: int) -> bool:
    """True if `value` nests objects/arrays more than `limit` deep (a flat object: 1).
    Level by level, without recursion; a container holding only scalars is not looked
    into further (one C-level pass over its members' types), so a flat payload costs
    about a microsecond."""
    if type(value) is not dict and type(value) is not list:
        return False
    level, depth = [value], 0
    while level:
        depth += 1
        deeper: list[Any] = []
        for item in level:
            members = item.values() if type(item) is dict else item
            kinds = set(map(type, members))
            if dict in kinds or list in kinds:
                deeper.extend(m for m in members if type(m) is dict or type(m) is list)
        if deeper and depth >= limit:
            return True
        level = deeper
    return False
