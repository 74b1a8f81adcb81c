#!/usr/bin/env bash
# The nightly's last job: every cell's report side by side, each cell's history.
#
#   merge.sh CELLS_DIR HISTORY_DIR SITE_DIR KEEP [EXPECTED_CELLS]
#
# CELLS_DIR holds one folder per cell, dmsconform-report-<id>/ (the cells' artifacts).
# HISTORY_DIR keeps each cell's reports of earlier nights, <id>/<run>/ (the previous
# night's history artifact, or a folder the user keeps): tonight's report is added
# and only the newest KEEP are kept. SITE_DIR gets the merged report (report.html,
# summary.md, report.json, junit.xml) and history/<id>/ beside it. summary.md and the
# links to the history pages go to $GITHUB_STEP_SUMMARY when it is set.
# Exit code: the merge's (the worst cell's by the rules of dmsconform run: 1 new
# failures, 3 errors), or 3 when fewer cells reported than EXPECTED_CELLS.
set -euo pipefail
cells=$1 history=$2 site=$3 keep=$4 expected=${5:-0}
dmsconform=${DMSCONFORM:-./bin/dmsconform}
night=${GITHUB_RUN_ID:-$(date -u +%Y%m%d%H%M%S)}-${GITHUB_RUN_ATTEMPT:-1}
mkdir -p "$history" "$site/history"
args=()
ids=()
for dir in "$cells"/*/; do
  dir=${dir%/}
  [ -f "$dir/report.json" ] || continue
  id=$(basename "$dir")
  id=${id#dmsconform-report-}
  ids+=("$id")
  args+=(--label "$id" "$dir")
  mkdir -p "$history/$id"
  rm -rf "${history:?}/$id/$night"
  cp -R "$dir" "$history/$id/$night"
  # The newest $keep nights (folder names sort by run number); the older go.
  find "$history/$id" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | head -n -"$keep" |
    while read -r old; do rm -rf "${history:?}/$id/$old"; done
  "$dmsconform" history --keep "$keep" --out "$site/history/$id" "$history/$id"
done
if [ ${#ids[@]} -eq 0 ]; then
  echo "::error::no cell wrote a report: see the cells' logs (a configuration error exits 2 before anything runs)" >&2
  exit 3
fi
code=0
"$dmsconform" merge --out "$site" "${args[@]}" || code=$?
missing=$((expected - ${#ids[@]}))
if [ "$missing" -gt 0 ]; then
  echo "::error::$missing of $expected cells wrote no report (see their jobs): the merge covers ${#ids[@]}" >&2
  [ "$code" -ne 0 ] || code=3
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    cat "$site/summary.md"
    [ "$missing" -le 0 ] || printf '\n⚠️ %d of %d cells wrote no report.\n' "$missing" "$expected"
    printf '\nHistory of each cell (last %s nights), in the artifact dmsconform-nightly:' "$keep"
    for id in "${ids[@]}"; do printf ' `history/%s/report.html`' "$id"; done
    printf '\n'
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$code"
