"""The evaluation table (中期评估) stays inside the page's content box in a 1280-px window: it wraps,
or scrolls inside the page, never runs past the right margin. Measured in headless Chromium on a
page built here with the bundled style sheet; skipped where no Chromium is installed."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from mzforecast.running.index import css

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium")
@pytest.mark.parametrize("width", [1280, 1024])
def test_evaluation_table_stays_within_the_page(tmp_path, width):
    head = ["指标", "属性", "基期值", "目标值", "现值", "完成进度", "序时进度", "状态", "预测判断"]
    row = ["每百户居民拥有的城乡社区综合服务设施面积", "约束性（规划主要指标表，十四五）", "22.5平方米/百户（2020）", "> 30平方米/百户（2025年）",
           "27.6平方米/百户（2023）", "已达标（2023年达到，2024年回落至目标以下）",
           "60.0%（2023年，按五年规划期计算）", "超前序时进度（2023年，按五年规划期计）",
           "逾期完成（2023年达到，2024年回落至目标以下，2025年再次达到）"]  # the columns kept on one line, each long
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for _ in range(5))
    page = tmp_path / "p.html"
    page.write_text(f"<html><head><style>{css()}</style></head><body><main><p>text</p>"
                    f"<table class='evaluation'><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></main>"
                    "<script>window.addEventListener('load',()=>{const m=document.querySelector('main'),"
                    "t=document.querySelector('table'),s=getComputedStyle(m);document.title='T='+"
                    "Math.round(t.getBoundingClientRect().right)+' C='+Math.round(m.getBoundingClientRect().right-"
                    "parseFloat(s.paddingRight))+' W='+document.documentElement.scrollWidth})</script></body></html>",
                    encoding="utf-8")
    out = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", f"--window-size={width},2000",
                          "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    m = re.search(r"<title>T=(\d+) C=(\d+) W=(\d+)</title>", out)
    assert m, out[:500]
    table_right, content_right, scroll_width = map(int, m.groups())
    assert table_right <= content_right and scroll_width <= width
