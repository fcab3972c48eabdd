#!/usr/bin/env bats
# mtv-sim's indexed store and garbage collector (issue 17): deletion
# propagation (Background, Foreground, Orphan) as the real garbage collector
# applies it, deletecollection as kube-apiserver serves it, namespace
# termination, and the same answers with thousands of objects in the store.
# Driven by curl, since kubectl deletes one object at a time.

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start --speed 0
}

teardown_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_stop
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_attach
}

# cm NS NAME [LABELS-JSON] [OWNERREFS-JSON] [FINALIZERS-JSON]: create a
# ConfigMap, print its uid
cm() {
	local labels=${3:-} md
	[ -n "$labels" ] || labels='{}'
	md="\"name\":\"$2\",\"labels\":$labels"
	[ -z "${4:-}" ] || md+=",\"ownerReferences\":$4"
	[ -z "${5:-}" ] || md+=",\"finalizers\":$5"
	sim_curl "/api/v1/namespaces/$1/configmaps" --fail -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{$md}}" | sim_json metadata.uid
}

# ref NAME UID [BLOCK]: one ownerReference to ConfigMap NAME
ref() {
	printf '{"apiVersion":"v1","kind":"ConfigMap","name":"%s","uid":"%s"%s}' "$1" "$2" \
		"${3:+,\"blockOwnerDeletion\":true}"
}

exists() { sim_curl "/api/v1/namespaces/$1/configmaps/$2" --fail -o /dev/null; }

@test "background: the owner goes, its dependents and theirs in the same request; a second owner keeps a dependent" {
	kubectl create ns gc-bg
	local a b c
	a=$(cm gc-bg a)
	b=$(cm gc-bg b)
	c=$(cm gc-bg child '{}' "[$(ref a "$a")]")
	cm gc-bg grandchild '{}' "[$(ref child "$c")]" >/dev/null
	cm gc-bg shared '{}' "[$(ref a "$a"),$(ref b "$b")]" >/dev/null
	run sim_curl /api/v1/namespaces/gc-bg/configmaps/a -X DELETE -H 'Content-Type: application/json' \
		--data-binary '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}' -w '\n%{http_code}'
	assert_line --index 1 200
	run exists gc-bg a
	assert_failure
	run exists gc-bg child
	assert_failure
	run exists gc-bg grandchild
	assert_failure
	# the collector removes the dangling reference and keeps the object
	run sh -c "curl -sS --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" \
		'$SIM_URL/api/v1/namespaces/gc-bg/configmaps/shared' | '$MTV_BIN_DIR/mtv-sim' json 'metadata.ownerReferences[*].name'"
	assert_output b
}

@test "foreground: deletionTimestamp and foregroundDeletion; the owner waits for a blocking dependent, then goes" {
	kubectl create ns gc-fg
	local o
	o=$(cm gc-fg owner)
	cm gc-fg held '{}' "[$(ref owner "$o" block)]" '["example.com/hold"]' >/dev/null
	cm gc-fg loose '{}' "[$(ref owner "$o")]" >/dev/null
	run sh -c "curl -sS --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" -X DELETE \
		-H 'Content-Type: application/json' --data-binary '{\"propagationPolicy\":\"Foreground\"}' \
		'$SIM_URL/api/v1/namespaces/gc-fg/configmaps/owner' | '$MTV_BIN_DIR/mtv-sim' json metadata.finalizers metadata.deletionTimestamp"
	assert_output --regexp '^\["foregroundDeletion"\] 20[0-9-]+T'
	# every dependent is deleted; the held one waits on its finalizer and
	# blocks the owner
	run exists gc-fg loose
	assert_failure
	run sh -c "curl -sS --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" \
		'$SIM_URL/api/v1/namespaces/gc-fg/configmaps/held' | '$MTV_BIN_DIR/mtv-sim' json metadata.deletionTimestamp"
	assert_output --regexp '^20[0-9-]+T'
	run exists gc-fg owner
	assert_success
	kubectl patch cm held -n gc-fg --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
	run exists gc-fg held
	assert_failure
	run exists gc-fg owner
	assert_failure
}

@test "foreground through a chain: a dependent with dependents of its own is deleted in foreground too" {
	kubectl create ns gc-chain
	local o c
	o=$(cm gc-chain top)
	c=$(cm gc-chain mid '{}' "[$(ref top "$o" block)]")
	cm gc-chain leaf '{}' "[$(ref mid "$c" block)]" '["example.com/hold"]' >/dev/null
	sim_curl "/api/v1/namespaces/gc-chain/configmaps/top?propagationPolicy=Foreground" -X DELETE --fail -o /dev/null
	run kubectl get cm mid -n gc-chain -o jsonpath='{.metadata.finalizers}'
	assert_output '["foregroundDeletion"]'
	run exists gc-chain top
	assert_success
	kubectl patch cm leaf -n gc-chain --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
	for n in leaf mid top; do
		run exists gc-chain $n
		assert_failure
	done
}

@test "orphan (query parameter, no body): the owner goes, its dependents stay without the reference" {
	kubectl create ns gc-orphan
	local o
	o=$(cm gc-orphan owner)
	cm gc-orphan kid '{}' "[$(ref owner "$o" block)]" >/dev/null
	run sim_curl "/api/v1/namespaces/gc-orphan/configmaps/owner?propagationPolicy=Orphan" -X DELETE -o /dev/null -w '%{http_code}'
	assert_output 200
	run exists gc-orphan owner
	assert_failure
	run kubectl get cm kid -n gc-orphan -o jsonpath='{.metadata.ownerReferences}'
	assert_success
	assert_output ''
}

@test "a bad propagationPolicy is 422 Invalid naming the supported values; nothing is deleted" {
	kubectl create ns gc-bad
	cm gc-bad x >/dev/null
	run sim_curl "/api/v1/namespaces/gc-bad/configmaps/x?propagationPolicy=Sideways" -X DELETE -w '\n%{http_code}'
	assert_line --index 1 422
	assert_line --index 0 --partial '"reason":"Invalid"'
	assert_line --index 0 --partial 'Unsupported value: \"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\"'
	run exists gc-bad x
	assert_success
	run sim_curl "/api/v1/namespaces/gc-bad/configmaps?labelSelector=a%3Db&propagationPolicy=Sideways" -X DELETE -w '\n%{http_code}'
	assert_line --index 1 422
}

@test "an object created with an owner that does not exist is collected" {
	kubectl create ns gc-dangling
	cm gc-dangling stray '{}' '[{"apiVersion":"v1","kind":"ConfigMap","name":"ghost","uid":"00000000-0000-4000-8000-00000000dead"}]' >/dev/null
	sim_until bash -c "! curl -sS --fail -o /dev/null --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" '$SIM_URL/api/v1/namespaces/gc-dangling/configmaps/stray'"
	run exists gc-dangling stray
	assert_failure
}

@test "deletecollection: a ConfigMapList of what matched, each deleted as a single delete, one watch event each" {
	kubectl create ns dc
	cm dc one '{"x":"y"}' >/dev/null
	cm dc two '{"x":"y"}' '' '["example.com/hold"]' >/dev/null
	cm dc three '{"x":"y"}' >/dev/null
	cm dc other '{"x":"z"}' >/dev/null
	local rv
	rv=$(sim_curl /api/v1/namespaces/dc/configmaps | sim_json metadata.resourceVersion)
	run sim_curl "/api/v1/namespaces/dc/configmaps?labelSelector=x%3Dy" -X DELETE -o "$BATS_TEST_TMPDIR/out.json" -w '%{http_code}'
	assert_output 200
	run sim_json kind apiVersion 'items[*].metadata.name' <"$BATS_TEST_TMPDIR/out.json"
	assert_output 'ConfigMapList v1 one three two'
	run sim_json metadata.resourceVersion <"$BATS_TEST_TMPDIR/out.json"
	assert_output --regexp '^[0-9]+$'
	run exists dc one
	assert_failure
	run exists dc three
	assert_failure
	run kubectl get cm two -n dc -o jsonpath='{.metadata.deletionTimestamp}'
	assert_output --regexp '^20[0-9-]+T'
	run exists dc other
	assert_success
	run sim_curl "/api/v1/namespaces/dc/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1"
	run grep -o '"type":"[A-Z]*"' <<<"$output"
	assert_output $'"type":"DELETED"\n"type":"DELETED"\n"type":"MODIFIED"'
	# again: the object already being deleted is listed, and nothing is written
	run sim_curl "/api/v1/namespaces/dc/configmaps?labelSelector=x%3Dy" -X DELETE
	run sim_json 'items[*].metadata.name' <<<"$output"
	assert_output two
	kubectl patch cm two -n dc --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
	run exists dc two
	assert_failure
}

@test "deletecollection: fieldSelector, DeleteOptions body (Orphan), dryRun, a collection across namespaces" {
	kubectl create ns dc2
	local o
	o=$(cm dc2 boss '{"role":"owner"}')
	cm dc2 worker '{}' "[$(ref boss "$o")]" >/dev/null
	cm dc2 bystander '{"role":"owner"}' >/dev/null
	run sim_curl "/api/v1/namespaces/dc2/configmaps?fieldSelector=metadata.name%3Dboss&dryRun=All" -X DELETE
	run sim_json 'items[*].metadata.name' <<<"$output"
	assert_output boss
	run exists dc2 boss
	assert_success
	run sim_curl "/api/v1/namespaces/dc2/configmaps?fieldSelector=metadata.name%3Dboss" -X DELETE \
		-H 'Content-Type: application/json' --data-binary '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"}'
	run sim_json 'items[*].metadata.name' <<<"$output"
	assert_output boss
	run exists dc2 boss
	assert_failure
	run exists dc2 bystander
	assert_success
	run kubectl get cm worker -n dc2 -o jsonpath='{.metadata.ownerReferences}'
	assert_success
	assert_output ''
	# cluster-wide collection of a namespaced kind (the API server allows it)
	run sim_curl "/api/v1/configmaps?labelSelector=role%3Downer" -X DELETE
	run sim_json 'items[*].metadata.name' <<<"$output"
	assert_output bystander
	run exists dc2 bystander
	assert_failure
}

@test "deletecollection needs the deletecollection verb: delete alone is 403 with the API server's wording" {
	kubectl create ns dc-rbac
	cm dc-rbac victim '{"a":"b"}' >/dev/null
	kubectl create serviceaccount cleaner -n dc-rbac
	kubectl create role deleter -n dc-rbac --verb=get,list,delete --resource=configmaps
	kubectl create rolebinding deleter -n dc-rbac --role=deleter --serviceaccount=dc-rbac:cleaner
	local tok
	tok=$(kubectl create token cleaner -n dc-rbac)
	run curl -sS --cacert "$SIM_DIR/ca.crt" -H "Authorization: Bearer $tok" -X DELETE -w '\n%{http_code}' \
		"$SIM_URL/api/v1/namespaces/dc-rbac/configmaps?labelSelector=a%3Db"
	assert_line --index 1 403
	assert_line --index 0 --partial 'configmaps is forbidden: User \"system:serviceaccount:dc-rbac:cleaner\" cannot deletecollection resource \"configmaps\" in API group \"\" in the namespace \"dc-rbac\"'
	run exists dc-rbac victim
	assert_success
	kubectl create role collector -n dc-rbac --verb=deletecollection --resource=configmaps
	kubectl create rolebinding collector -n dc-rbac --role=collector --serviceaccount=dc-rbac:cleaner
	run curl -sS --cacert "$SIM_DIR/ca.crt" -H "Authorization: Bearer $tok" -X DELETE -o /dev/null -w '%{http_code}' \
		"$SIM_URL/api/v1/namespaces/dc-rbac/configmaps?labelSelector=a%3Db"
	assert_output 200
	run exists dc-rbac victim
	assert_failure
}

@test "2000 objects: a selector list, a deletecollection and a namespace deletion answer exactly" {
	kubectl create ns big
	local cfg=$BATS_TEST_TMPDIR/bulk.cfg i sep=''
	: >"$cfg"
	for ((i = 1; i <= 2000; i++)); do
		{
			printf '%s' "$sep"
			printf 'url = "%s/api/v1/namespaces/big/configmaps"\nrequest = "POST"\n' "$SIM_URL"
			printf 'header = "Content-Type: application/json"\nheader = "Authorization: Bearer %s"\ncacert = "%s"\n' \
				"$(cat "$SIM_DIR/token")" "$SIM_DIR/ca.crt"
			printf 'data = "{\\"metadata\\":{\\"name\\":\\"cm-%04d\\",\\"labels\\":{\\"half\\":\\"%d\\"}}}"\nsilent\nfail\noutput = "/dev/null"\n' \
				"$i" $((i % 2))
		} >>"$cfg"
		sep=$'next\n'
	done
	curl -K "$cfg"
	run sim_curl "/api/v1/namespaces/big/configmaps?labelSelector=half%3D1"
	run sim_json 'items#' <<<"$output"
	assert_output 1000
	run sim_curl "/api/v1/namespaces/big/configmaps?labelSelector=half%3D1" -X DELETE
	run sim_json 'items#' <<<"$output"
	assert_output 1000
	run sim_curl "/api/v1/namespaces/big/configmaps"
	run sim_json 'items#' 'items[0].metadata.name' <<<"$output"
	assert_output '1000 cm-0002'
	kubectl delete ns big --wait=false
	sim_until bash -c "! kubectl get ns big"
	run kubectl get ns big
	assert_failure
	run sim_curl "/api/v1/namespaces/big/configmaps"
	run sim_json 'items#' <<<"$output"
	assert_output 0
}

@test "namespaces have no deletecollection: 405, and discovery does not offer the verb" {
	run sim_curl "/api/v1/namespaces?labelSelector=kubernetes.io%2Fmetadata.name%3Ddefault" -X DELETE -w '\n%{http_code}'
	assert_line --index 1 405
	assert_line --index 0 --partial '"reason":"MethodNotAllowed"'
	run kubectl get ns default -o name
	assert_output namespace/default
	run sim_curl /api/v1
	run sim_json 'resources[*].name' <<<"$output"
	assert_output --partial namespaces
	run bash -c "curl -sS --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" '$SIM_URL/api/v1' |
		grep -o '{\"name\":\"namespaces\"[^}]*}'"
	assert_success
	refute_output --partial deletecollection
	run bash -c "curl -sS --cacert '$SIM_DIR/ca.crt' -H \"Authorization: Bearer \$(cat '$SIM_DIR/token')\" '$SIM_URL/api/v1' |
		grep -o '{\"name\":\"configmaps\"[^}]*}'"
	assert_output --partial deletecollection
}
