"""Compare what two .xlsx files show, not their bytes: sheet names and order, every cell's value
(and its type), number format, fill, font bold and colour, alignment, and each sheet's column
widths, freeze pane, autofilter and dimensions. Exit 0 when equal, 1 with the differences listed.

    python scripts/compare_xlsx.py OLD.xlsx NEW.xlsx

Colours compare by their last six hex digits (openpyxl writes 00RRGGBB, XlsxWriter FFRRGGBB);
an empty cell with no style counts as absent (writers differ in whether they store one).
"""
import sys

import openpyxl


def rgb(color):
    return None if color is None or not isinstance(color.rgb, str) else color.rgb[-6:].upper()


def view(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = (c.fill.fill_type, rgb(c.fill.fgColor)) if c.fill.fill_type else None
                font = (bool(c.font.bold), rgb(c.font.color) if c.font.color is not None else None)
                align = (c.alignment.horizontal, c.alignment.vertical, bool(c.alignment.wrap_text))
                if c.value is None and fill is None and c.number_format == "General" and font == (False, None):
                    continue
                cells[c.coordinate] = (c.value, type(c.value).__name__, c.number_format, fill, font, align)
        widths = {i: d.width for d in ws.column_dimensions.values() if d.customWidth
                  for i in range(d.min, d.max + 1)}
        out[ws.title] = dict(cells=cells, widths=widths, freeze=ws.freeze_panes, filter=ws.auto_filter.ref,
                             dims=ws.dimensions)
    return out


def main(old, new) -> int:
    a, b = view(old), view(new)
    if list(a) != list(b):
        print("sheets differ:", list(a), list(b))
        return 1
    bad = n = 0
    for s in a:
        for k in ("widths", "freeze", "filter", "dims"):
            if a[s][k] != b[s][k]:
                bad += 1
                print(s, k, a[s][k], b[s][k])
        ca, cb = a[s]["cells"], b[s]["cells"]
        for coord in sorted(set(ca) | set(cb)):
            n += 1
            if ca.get(coord) != cb.get(coord):
                bad += 1
                if bad < 20:
                    print(s, coord, ca.get(coord), cb.get(coord))
    print(f"{len(a)} sheets, {n} styled/valued cells compared, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
