#!/bin/sh
# Screenshots of the generated reports as an official sees them (headless Chromium, 1400 px wide).
#   apt-get install -y chromium   # Debian package
#   scripts/screenshots.sh [reports-folder]    (default: reports/, built by `make report`)
set -eu
R=$(cd "${1:-reports}" && pwd)
OUT=$(cd "$(dirname "$0")/.." && pwd)/docs/screenshots
mkdir -p "$OUT"
shot() {  # page, file, height
    prof=$(mktemp -d)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$prof" \
        --window-size=1400,"$3" --screenshot="$OUT/$2" "file://$R/$1" 2>/dev/null
    rm -rf "$prof"
    echo "$OUT/$2"
}
shot index.html index.png 1000
shot changchun-13th.html dashboard.png 2400
shot changchun-14th-rural-urban-dibao.html deep-dive.png 2400
shot changchun-13th-backtest.html backtest.png 2400
shot changchun-13th-evaluation.html evaluation.png 2400
