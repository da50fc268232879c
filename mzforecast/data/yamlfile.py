"""Reading a YAML file (plans, params, catalogues): syntax errors, duplicate keys, runaway nesting
and unreadable files become messages with the file and line; each text is parsed once.
Imports the leaves (errors) only.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import DataError


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable key: the base constructor reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first given on line {first + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path):
    """Parse YAML, turning syntax errors, duplicate keys and runaway nesting into a message with the line."""
    path = Path(path)
    if path.is_dir():
        raise DataError("this is a folder, not a YAML file", file=str(path), fix="give the path of a .yaml file")
    if path.exists() and not path.is_file():
        raise DataError("this is not a regular file (a device or pipe)", file=str(path),
                        fix="save the YAML to a file and give its path")
    if path.is_file() and path.stat().st_size > 20 * 10**6:
        raise DataError("the file is larger than 20 MB: not a plan, params or indicators file", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
        # plans and params are read many times in one run (checks, titles, index): each text is parsed
        # once; callers get their own copy
        return copy.deepcopy(_parsed(text) if len(text) < 10**6 else _load(text))
    except FileNotFoundError:
        raise DataError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", file=str(path), fix="save the YAML file as UTF-8") from None
    except OSError as e:
        raise DataError(f"cannot read the file: {e.strerror or e}", file=str(path)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        dup = "duplicate key" in str(getattr(e, "problem", ""))
        raise DataError(f"YAML {'error' if dup else 'syntax error'} at {line}{getattr(e, 'problem', e)}",
                        file=str(path), row=mark.line + 1 if mark else None,
                        fix="give each key once" if dup else
                        "check indentation and quote values that contain ':' or '#' or tabs") from None
    except RecursionError:
        raise DataError("the YAML is nested too deeply to be a plan, params or indicators file", file=str(path),
                        fix="check for runaway brackets or indentation") from None


def _load(text: str):
    return yaml.load(text, Loader=_UniqueKeyLoader)


@lru_cache(maxsize=128)
def _parsed(text: str):
    """The YAML of one text, parsed once (the key is the text itself: an edited file is parsed anew);
    an error is raised, not kept."""
    return _load(text)
