#!/usr/bin/env bash
# Licence check: every runtime dependency of selfsup (compile and runtime scope, transitive ones
# included, as Maven resolves them) must have a row in docs/licenses.md whose licence is
# on the allow-list below and whose verdict says "yes". Fails (exit 1), naming each artifact that
# is missing or not allowed. Takes a few seconds once the dependencies are resolved (any mvn
# build has done that; a clean machine also fetches maven-dependency-plugin once).
#
#   scripts/check-licenses.sh           check
#   scripts/check-licenses.sh --pom     also print the licences each POM (or its parent) declares,
#                                       from the local repository: a help for writing new rows
#
# docs/licenses.md rows read here: | `group:artifact:version` | scope | licence | verdict | ... |
# with the licence as an SPDX expression without parentheses (A OR B, A AND B; AND binds tighter).
# Allowed: the permissive licences below; the weak-copyleft ones (EPL, LGPL, MPL, CDDL) only where
# the row's verdict notes "weak copyleft"; Intel's binary licence (oneMKL, inside libtorch) only
# where it notes "not open source". Anything else fails.
set -euo pipefail
cd "$(dirname "$0")/.."

permissive="Apache-2.0 MIT MIT-0 BSD-2-Clause BSD-3-Clause ISC BSL-1.0 Zlib 0BSD CC0-1.0 Unlicense"
# GCC's runtime libraries (libgomp in the libtorch jar): the exception allows shipping them with
# software under any licence
permissive="$permissive GPL-3.0-or-later_WITH_GCC-exception-3.1"
# allowed only where the verdict carries the note after the "=" (any case)
noted="EPL-1.0=weak_copyleft EPL-2.0=weak_copyleft LGPL-2.1-only=weak_copyleft LGPL-2.1-or-later=weak_copyleft"
noted="$noted LGPL-3.0-only=weak_copyleft LGPL-3.0-or-later=weak_copyleft MPL-2.0=weak_copyleft"
noted="$noted CDDL-1.0=weak_copyleft CDDL-1.1=weak_copyleft LicenseRef-Intel-ISSL=not_open_source"

show_pom=0
case "${1:-}" in
  --pom) show_pom=1 ;;
  "") ;;
  *) echo "usage: $0 [--pom]" >&2; exit 2 ;;
esac

doc=docs/licenses.md
[ -f "$doc" ] || { echo "check-licenses: $doc is missing" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# the runtime class path, from Maven: lines like "   g:a:jar[:classifier]:v:scope[ -- module ...]"
if ! ${MVN:-mvn} -B -q dependency:list -DincludeScope=runtime -DoutputFile="$tmp/list" \
    -DoutputAbsoluteArtifactFilename=false >"$tmp/mvn.log" 2>&1; then
  cat "$tmp/mvn.log" >&2
  echo "check-licenses: mvn dependency:list failed" >&2
  exit 1
fi
awk '{ sub(/^[ \t]+/, ""); n = split($1, f, ":") }
     (n == 5 || n == 6) && $1 ~ /:(compile|runtime)$/ { print f[1] ":" f[2] ":" f[n - 1] "\t" f[n] }' "$tmp/list" | sort -u >"$tmp/deps"
if [ ! -s "$tmp/deps" ]; then
  cat "$tmp/list" >&2
  echo "check-licenses: no runtime dependencies read from mvn dependency:list" >&2
  exit 1
fi

pom_licenses() { # group artifact version: the <licenses> names of the POM, or of its nearest parent that has them
  local g="$1" a="$2" v="$3" depth=0 pom names parent
  while [ "$depth" -lt 6 ]; do
    pom="${MAVEN_REPO:-$HOME/.m2/repository}/${g//.//}/$a/$v/$a-$v.pom"
    [ -f "$pom" ] || { echo "(no POM in the local repository: $g:$a:$v)"; return; }
    names="$(tr -d '\r' <"$pom" | sed -n '/<licenses>/,/<\/licenses>/p' \
      | sed -n 's:.*<name>[[:space:]]*\(.*[^[:space:]]\)[[:space:]]*</name>.*:\1:p' | paste -sd ';' -)"
    if [ -n "$names" ]; then
      [ "$depth" -gt 0 ] && names="$names (from parent $g:$a:$v)"
      echo "$names"; return
    fi
    parent="$(tr -d '\r' <"$pom" | sed -n '/<parent>/,/<\/parent>/p' | tr -d ' \t\n')"
    [ -n "$parent" ] || { echo "(none declared)"; return; }
    g="$(sed -n 's:.*<groupId>\([^<]*\)</groupId>.*:\1:p' <<<"$parent")"
    a="$(sed -n 's:.*<artifactId>\([^<]*\)</artifactId>.*:\1:p' <<<"$parent")"
    v="$(sed -n 's:.*<version>\([^<]*\)</version>.*:\1:p' <<<"$parent")"
    depth=$((depth + 1))
  done
  echo "(none found within 6 parents)"
}

status=0
count=0
while IFS=$'\t' read -r gav scope; do
  count=$((count + 1))
  # the documented row: first cell `g:a:v`, second cell the scope (compile or runtime)
  row="$(awk -F'|' -v key="$gav" '
      NF >= 6 { k = $2; gsub(/[` \t]/, "", k); s = $3; gsub(/[ \t]/, "", s)
                if (k == key && (s == "compile" || s == "runtime")) { print; exit } }' "$doc")"
  if [ "$show_pom" = 1 ]; then
    IFS=: read -r g a v <<<"$gav"
    printf '%-70s POM: %s\n' "$gav" "$(pom_licenses "$g" "$a" "$v")"
  fi
  if [ -z "$row" ]; then
    echo "FAIL $gav ($scope): no row in $doc (a runtime row: | \`$gav\` | $scope | licence | verdict | ... |)" >&2
    status=1; continue
  fi
  licence="$(awk -F'|' '{ print $4 }' <<<"$row" | tr -d '`' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
  verdict="$(awk -F'|' '{ print $5 }' <<<"$row" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
  case "${verdict,,}" in
    yes*) ;;
    *) echo "FAIL $gav: the verdict in $doc is not \"yes\": $verdict" >&2; status=1; continue ;;
  esac
  # SPDX without parentheses: any OR alternative whose AND terms are all allowed
  ok="$(awk -v expr="$licence" -v perm="$permissive" -v noted="$noted" -v verdict="${verdict,,}" 'BEGIN {
      np = split(perm, p, " "); for (i = 1; i <= np; i++) P[p[i]] = 1
      nn = split(noted, q, " ")
      for (i = 1; i <= nn; i++) {
        split(q[i], kv, "="); note = kv[2]; gsub(/_/, " ", note)
        if (index(verdict, note) > 0) P[kv[1]] = 1
      }
      gsub(/ WITH /, "_WITH_", expr)
      na = split(expr, alt, / OR /)
      for (i = 1; i <= na; i++) {
        nt = split(alt[i], term, / AND /); good = nt > 0
        for (j = 1; j <= nt; j++) {
          t = term[j]; gsub(/^[ \t]+|[ \t]+$/, "", t)
          if (!(t in P)) good = 0
        }
        if (good) { print "yes"; exit }
      }
      print "no" }')"
  if [ "$ok" != yes ]; then
    echo "FAIL $gav: licence \"$licence\" is not on the allow-list (weak copyleft needs \"weak copyleft\" in the verdict, Intel's licence \"not open source\")" >&2
    status=1
  fi
done <"$tmp/deps"

# rows for runtime dependencies that Maven no longer resolves: a warning, so that the table is kept current
awk -F'|' 'NF >= 6 { k = $2; gsub(/[` \t]/, "", k); s = $3; gsub(/[ \t]/, "", s)
                     if (k ~ /^[^:]+:[^:]+:[^:]+$/ && (s == "compile" || s == "runtime")) print k }' "$doc" \
  | sort -u | while read -r gav; do
    awk -F'\t' -v k="$gav" '$1 == k { f = 1 } END { exit !f }' "$tmp/deps" || echo "warning: $doc lists $gav as a runtime dependency, but Maven does not resolve it" >&2
  done

if [ "$status" = 0 ]; then
  echo "check-licenses: $count runtime dependencies, all documented in $doc with allowed licences"
fi
exit "$status"
