#!/usr/bin/env bash
# The nightly's matrix: the cells {account, region, role, project[, name,
# failing_project, start_inputs, denied_role]} of the repository variable
# DMSCONFORM_CELLS (a JSON list), checked, each given an id (its name, or <region>-<last
# 4 digits of its account>) that names its artifacts. Without DMSCONFORM_CELLS, one cell
# from the variables of the single-account set-up (DMSCONFORM_ACCOUNT, AWS_REGION,
# DMSCONFORM_ROLE_ARN, DMSCONFORM_PROJECT, and optionally DMSCONFORM_FAILING_PROJECT,
# DMSCONFORM_START_INPUTS, DMSCONFORM_DENIED_ROLE_ARN).
# Writes cells=<JSON> and count=<N> to $GITHUB_OUTPUT (stdout when unset).
set -euo pipefail
cells=${DMSCONFORM_CELLS:-}
if [ -z "$cells" ]; then
  cells=$(jq -cn --arg account "${DMSCONFORM_ACCOUNT:-}" --arg region "${AWS_REGION:-}" \
    --arg role "${DMSCONFORM_ROLE_ARN:-}" --arg project "${DMSCONFORM_PROJECT:-}" \
    --arg failing "${DMSCONFORM_FAILING_PROJECT:-}" --arg inputs "${DMSCONFORM_START_INPUTS:-}" --arg denied "${DMSCONFORM_DENIED_ROLE_ARN:-}" \
    '[{account: $account, region: $region, role: $role, project: $project, failing_project: $failing, start_inputs: $inputs, denied_role: $denied}
      | with_entries(select(.value != ""))]')
fi
fail() { echo "::error::DMSCONFORM_CELLS: $*" >&2; exit 2; }
jq -e 'type == "array" and length > 0' <<<"$cells" >/dev/null 2>&1 ||
  fail 'must be a non-empty JSON list of {"account", "region", "role", "project"} (and an optional "name")'
problems=$(jq -r '
  to_entries[] | .key as $i | .value as $c |
  (["account", "region", "role", "project"][] | select(($c[.] // "") == "") | "cell \($i + 1): \(.) is missing"),
  (select(($c.account // "") != "" and ($c.account | tostring | test("^[0-9]{12}$") | not)) | "cell \($i + 1): account must be the 12-digit account id"),
  (select(($c.role // "") != "" and ($c.account // "") != "" and ($c.role | startswith("arn:aws:iam::\($c.account):role/") | not))
    | "cell \($i + 1): role must be a role of the cell'"'"'s own account (arn:aws:iam::<account>:role/...): the account guard refuses any other"),
  (select(($c.denied_role // "") != "" and ($c.denied_role | startswith("arn:aws:iam::\($c.account):role/") | not))
    | "cell \($i + 1): denied_role must be a role of the cell'"'"'s own account (arn:aws:iam::<account>:role/...)")
' <<<"$cells")
# start_inputs names a file of the repository (checked out here): it must be there.
while IFS=$'\t' read -r i path; do
  [ -z "$path" ] || [ -f "$path" ] ||
    problems+=$'\n'"cell $i: start_inputs $path is not a file of the repository: commit it (JSON or YAML of the Start requests' members)"
done < <(jq -r 'to_entries[] | "\(.key + 1)\t\(.value.start_inputs // "")"' <<<"$cells")
problems=$(sed '/^$/d' <<<"$problems")
[ -z "$problems" ] || fail "$problems"
cells=$(jq -c 'map(. + {account: (.account | tostring)}) | map(. + {id: ((.name // "\(.region)-\(.account[-4:])") | gsub("[^A-Za-z0-9._-]"; "-"))})' <<<"$cells")
dups=$(jq -r '[.[].id] | group_by(.) | map(select(length > 1) | .[0]) | join(", ")' <<<"$cells")
[ -z "$dups" ] || fail "two cells would share the id $dups: give them distinct \"name\"s"
if [ -n "${GITHUB_OUTPUT:-}" ]; then exec >>"$GITHUB_OUTPUT"; fi
echo "cells=$cells"
echo "count=$(jq length <<<"$cells")"
