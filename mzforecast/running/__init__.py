"""Running the report notebooks (`mzforecast run`):

- `jobs`: params files read and checked, data and plans validated before anything runs;
- `execute`: one notebook under papermill in a worker that dies with the run;
- `output`: the output folder (staging, swap, marker, carried-over files) and the summaries;
- `index`: a notebook as a self-contained page, and the index page;
- `lock`: one run per --out folder, the page list that keeps earlier pages, name clashes;
- `batch`: the run itself (`run`, `main`), on top of the others.

Imports everything below it (leaves, data, engine, presentation, `params`, `kernel`).
"""
from __future__ import annotations

from ..messages.pages import INDEX as INDEX_TEXT  # noqa: F401
from ..params import NOTEBOOKS  # noqa: F401
from .batch import main, run  # noqa: F401
from .execute import notebooks_dir, run_one  # noqa: F401
from .index import css, data_version, notebook_to_html, write_index  # noqa: F401
from .jobs import collect_jobs, load_params, params_dir, related_pages, validate_jobs, validate_options  # noqa: F401
from .output import MARKER, OutputFolder, check_output_folder, clean_staging, write_summary  # noqa: F401
