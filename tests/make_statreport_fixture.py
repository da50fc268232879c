"""Build tests/fixtures/statreport_2023.xlsx: a 民政 statistical report in the public layout.

    python tests/make_statreport_fixture.py

Title and notes above the header, items indented with full-width spaces, numbered 1. / (1) /
一、 / #, numbers as text with thousands separators, units as the reports write them (万张,
元/人·月, 元/人.年), one item the mapping does not know and one blank item. The figures are
invented for the test.
"""
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).with_name("fixtures") / "statreport_2023.xlsx"
ROWS = [
    ["长春市社会服务统计年报（2023年）"],
    ["填报单位：长春市民政局", None, "2024年3月"],
    ["指标名称", "单位", "数量"],
    ["一、社会救助", None, None],
    ["\u3000城市最低生活保障平均标准", "元/人·月", "800"],
    ["\u3000农村最低生活保障平均标准", "元/人.年", "6,947.9"],
    ["\u3000(1)城市特困人员基本生活标准", "元/人·月", "1,245.0"],
    ["\u3000(2)农村特困人员基本生活标准", "元/人·月", "1,003"],
    ["\u3000临时救助人次", "万人次", "2.35"],
    ["二、养老服务", None, None],
    ["1.养老机构数", "个", "412"],
    ["2.养老机构床位", "万张", "4.6"],
    ["\u3000\u3000#护理型床位占比", "%", "58.3"],
    ["3.家庭养老床位", "张", "2,150"],
    ["三、社会组织与社会工作", None, None],
    ["\u3000社会组织数", "个", "5,871"],
    ["\u3000持证社会工作者", "人", "6,432"],
    ["\u3000社区志愿服务时长", "万小时", "310"],  # no mapping: listed as not recognised
    ["\u3000福利彩票销售网点", "个", "—"],  # blank in the report
]


def build(out: Path = OUT) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "年报"
    for r in ROWS:
        ws.append(r)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


if __name__ == "__main__":
    print(build())
