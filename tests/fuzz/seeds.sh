#!/bin/bash
# Seeds taken from the repository's fixtures at run time, so they need not
# be copied into tests/fuzz/corpus: tests/fuzz/seeds.sh DIR writes
# DIR/<target>/<n> for the targets whose inputs the fixtures hold.
# (The committed seeds in tests/fuzz/corpus/ cover the rest: kubeconfigs,
# providers files, SOAP answers, watch streams, state files.)
set -eu

dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rm -rf "$dir"
mkdir -p "$dir"/{scenario,yamltree,hooks,gotmpl}

n=0
for f in shared/tests_params.json tests/fixtures/scenarios/*.json; do
	n=$((n + 1))
	cp "$f" "$dir/scenario/fixture-$n.json"
done

# Every YAML file of the registry (refs, chains, workflows) and the fixtures.
n=0
while IFS= read -r f; do
	n=$((n + 1))
	cp "$f" "$dir/yamltree/fixture-$n.yaml"
done < <(find steps chains workflows tests/fixtures -name '*.yaml' -size -64k | sort)

# The playbooks the scenario fixtures carry, decoded.
n=0
while IFS= read -r b64; do
	n=$((n + 1))
	printf '%s' "$b64" | base64 -d >"$dir/hooks/fixture-$n.yaml" 2>/dev/null || rm -f "$dir/hooks/fixture-$n.yaml"
done < <(grep -rhoE '"playbook_base64": *"[A-Za-z0-9+/=]+"' shared tests/fixtures |
	sed -E 's/.*"([A-Za-z0-9+\/=]+)"$/\1/')

# The name templates of the catalogs, JSON-unescaped.
n=0
while IFS= read -r t; do
	n=$((n + 1))
	printf '%b' "$t" | sed 's/\\"/"/g' >"$dir/gotmpl/fixture-$n.tmpl"
done < <(grep -rhoE '"(pvc|volume|network)_name_template": *"([^"\\]|\\.)*"' shared tests/fixtures |
	sed -E 's/^"[a-z_]+": *"(.*)"$/\1/')
