"""Assessment frames for analysts, ready to paste: `localize` (kept importable here) lives in
`mzforecast.plan`, since `assess_plan(language=...)` calls it; its words are in `mzforecast.messages`."""
from __future__ import annotations

from .plan import localize  # noqa: F401
