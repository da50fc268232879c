"""The index: a 目标测算 row says it is not an assessment instead of leaving verdict columns empty;
the output folder's README names every summary file the run writes."""
import re

from mzforecast.running.jobs import collect_jobs
from mzforecast.running.index import write_index
from mzforecast.running.output import README


def test_target_setting_row_says_no_assessment(tmp_path):
    jobs = collect_jobs(["changchun-15th-draft-example", "jilin-2021"])
    rec = {"verdict": "on_track", "latest_year": 2023}
    res = [{"name": "changchun-15th-draft-example", "ok": True, "html": "d.html", "error": "", "records": [],
            "seconds": 1.0},
           {"name": "jilin-2021", "ok": True, "html": "j.html", "error": "", "records": [rec], "seconds": 1.0}]
    write_index(tmp_path, res, jobs, 2.0, None, ())
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    table = html[html.index("目标测算（下一五年规划草案）"):]
    table = table[:table.index("</table>")]
    row = table[table.index('<a href="./d.html">'):]
    row = row[:row.index("</tr>")]
    assert "<td>目标测算，无评估</td>" in row and not re.search(r"<td></td>", row)
    assert "<th>判断</th>" in table and "badge" not in table


def test_output_readme_lists_every_summary_file():
    for f in ("index.html", "summary.csv", "summary.xlsx", "summary.json"):
        assert f"`{f}`" in README
