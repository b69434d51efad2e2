#!/bin/sh
# The Grafana dashboard (contrib/grafana/nmigd.json): valid JSON, every
# query and annotation expression parses as PromQL (promtool, with the
# dashboard's variables filled in), and every series it names is one
# that nmigd exposes (daemon/metricsdoc.c).  Exit 77 without promtool or
# jq.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
dash=$top_srcdir/contrib/grafana/nmigd.json
for t in promtool jq; do
	command -v $t >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
exprs=$(jq -r '[.panels[].targets[].expr, .annotations.list[].expr] | .[]' "$dash") ||
    { echo "FAIL: $dash is not the JSON expected"; exit 1; }
[ -n "$exprs" ] || { echo "FAIL: no queries in $dash"; exit 1; }
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	i=0
	echo "$exprs" | while IFS= read -r e; do
		i=$((i + 1))
		e=$(printf '%s' "$e" | sed 's/\$domain/.*/g; s/\$vantage/.*/g')
		printf '      - record: dashboard:query%d\n        expr: %s\n' \
		    "$i" "$(printf '%s' "$e" | jq -Rs .)"
	done
} >"$tmp/rules.yml"
if promtool check rules "$tmp/rules.yml"; then
	echo "ok: every dashboard query parses"
else
	echo "FAIL: a dashboard query does not parse"
	fail=1
fi
for m in $(echo "$exprs" | grep -o 'nmigd_[a-z_]*' | sort -u); do
	if grep -q "\"$m\"" "$top_srcdir/daemon/metricsdoc.c"; then
		echo "ok: $m is exposed"
	else
		echo "FAIL: the dashboard uses $m, which nmigd does not expose"
		fail=1
	fi
done
exit $fail
