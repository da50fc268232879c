#!/usr/bin/env bash
# Every user-visible output of the bundled job in one folder, with times pinned, so two versions
# of the code can be compared byte for byte: scripts/snapshot.sh DIR [MZFORECAST]
#   diff -r BEFORE AFTER
set -uo pipefail
out=${1:?usage: scripts/snapshot.sh DIR [path/to/mzforecast]}
mz=${2:-mzforecast}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764892800}
rm -rf "$out"; mkdir -p "$out/cli"
"$mz" run --out "$out/run" > "$out/cli/run.txt" 2>&1
rm -f "$out/run/.mzforecast-output"
for p in changchun-13th changchun-14th jilin-13th jilin-2019 jilin-2021; do
  for f in table csv json; do "$mz" assess --plan $p --format $f > "$out/cli/assess-$p.$f" 2>&1; done
  "$mz" plans $p > "$out/cli/plans-$p.txt" 2>&1
done
"$mz" assess --plan changchun-14th --as-of 2022 --format csv > "$out/cli/assess-asof.csv" 2>&1
"$mz" propose changchun dibao_standard_urban --year 2030 > "$out/cli/propose.txt" 2>&1
"$mz" propose changchun dibao_standard_urban --year 2030 --format csv > "$out/cli/propose.csv" 2>&1
"$mz" draft changchun-15th-draft-example --format csv > "$out/cli/draft.csv" 2>&1
"$mz" draft changchun-15th-draft-example > "$out/cli/draft.txt" 2>&1
"$mz" backtest > "$out/cli/backtest.txt" 2>&1
"$mz" forecast changchun dibao_standard_urban --until 2030 > "$out/cli/forecast.txt" 2>&1
"$mz" forecast changchun dibao_standard_urban --until 2030 --format csv > "$out/cli/forecast.csv" 2>&1
d="$(cd "$(dirname "$0")/.." && pwd)/data/examples"; "$mz" assess --plan "$d/jilin-prefectures-example.yaml" --data "$d/jilin-prefectures-synthetic.csv" --format csv > "$out/cli/regions.csv" 2>&1 || true
echo "snapshot in $out"
