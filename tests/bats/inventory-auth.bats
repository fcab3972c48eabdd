#!/usr/bin/env bats
# Inventory authentication (issue 11, items 2 and 3): the Forklift inventory
# takes bearer tokens only (Auth.Permit: TokenReview + SubjectAccessReview
# for get on the Provider), the API server's service proxy drops the token,
# and a kubeconfig with only a client certificate (the OpenShift installer's
# admin kubeconfig) still runs the whole cold flow: the steps make a
# ServiceAccount and use TokenRequest tokens of it.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup() {
	e2e_setup
	# the client certificate and key of kubeconfig-cert, for curl
	sed -n 's/^ *client-certificate-data: //p' "$SIM_DIR/kubeconfig-cert" | base64 -d >"$BATS_TEST_TMPDIR/client.crt"
	sed -n 's/^ *client-key-data: //p' "$SIM_DIR/kubeconfig-cert" | base64 -d >"$BATS_TEST_TMPDIR/client.key"
	ADMIN="Authorization: Bearer $(cat "$SIM_DIR/token")"
}

# code PATH [curl args...]: the HTTP status of a GET on the sim
code() {
	local path=$1
	shift
	curl -sS -o /dev/null -w '%{http_code}' --cacert "$SIM_DIR/ca.crt" "$@" "$SIM_URL$path"
}

cert() {
	echo --cert "$BATS_TEST_TMPDIR/client.crt" --key "$BATS_TEST_TMPDIR/client.key"
}

@test "sim: kubeconfig-cert authenticates to the API server with a client certificate alone" {
	grep -q 'client-certificate-data:' "$SIM_DIR/kubeconfig-cert"
	run grep -c 'token' "$SIM_DIR/kubeconfig-cert"
	assert_output 0
	run kubectl --kubeconfig "$SIM_DIR/kubeconfig-cert" get namespace openshift-mtv -o name
	assert_success
	assert_output namespace/openshift-mtv
	run code /api/v1/namespaces $(cert)
	assert_output 200
	# no credentials, or a certificate from another CA: 401
	run code /api/v1/namespaces
	assert_output 401
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/O=system:masters/CN=system:admin" \
		-keyout "$BATS_TEST_TMPDIR/other.key" -out "$BATS_TEST_TMPDIR/other.crt" 2>/dev/null
	run code /api/v1/namespaces --cert "$BATS_TEST_TMPDIR/other.crt" --key "$BATS_TEST_TMPDIR/other.key"
	assert_output 401
}

@test "sim: the inventory refuses a client certificate (401) and takes a bearer token" {
	run code /providers $(cert)
	assert_output 401
	run code /providers
	assert_output 401
	run code /providers -H "Authorization: Bearer not-a-token"
	assert_output 401
	run code /providers -H "$ADMIN"
	assert_output 200
}

@test "sim: the service proxy drops the Authorization header, so the inventory behind it answers 401" {
	local proxy=/api/v1/namespaces/openshift-mtv/services/https:forklift-inventory:8443/proxy/providers
	run code "$proxy" -H "$ADMIN"
	assert_output 401
	run code "$proxy" $(cert)
	assert_output 401
	run kubectl get --raw "$proxy"
	assert_failure
	assert_output --partial "must be logged in"
}

@test "sim: TokenRequest tokens are bound to their ServiceAccount and pass Permit only with RBAC on providers" {
	local k="kubectl --kubeconfig $SIM_DIR/kubeconfig-cert -n default" tok uid
	$k create serviceaccount inv-reader
	tok=$($k create token inv-reader)
	[ -n "$tok" ]
	# authenticated, but no right on providers: 403 (the SubjectAccessReview)
	run code /providers -H "Authorization: Bearer $tok"
	assert_output 403
	sim_vsphere_setup invauth
	uid=$(kubectl get provider vs -n invauth -o jsonpath='{.metadata.uid}')
	run code "/providers/vsphere/$uid/vms" -H "Authorization: Bearer $tok"
	assert_output 403
	# nor on the API server
	run code /api/v1/namespaces/default/pods -H "Authorization: Bearer $tok"
	assert_output 403
	# get on providers in the Provider's namespace is what Permit asks for
	kubectl create role prov-reader -n invauth --verb=get,list --resource=providers.forklift.konveyor.io
	kubectl create rolebinding prov-reader -n invauth --role=prov-reader --serviceaccount=default:inv-reader
	run code "/providers/vsphere/$uid/vms" -H "Authorization: Bearer $tok"
	assert_output 200
	run code "/providers/vsphere/$uid/vms" -H "Authorization: Bearer $tok" $(cert)
	assert_output 200
	# the token dies with its account
	$k delete serviceaccount inv-reader
	run code "/providers/vsphere/$uid/vms" -H "Authorization: Bearer $tok"
	assert_output 401
	# TokenRequest validation
	$k create serviceaccount short
	run $k create token short --duration=5m
	assert_failure
	assert_output --partial "may not specify a duration less than 10 minutes"
}

@test "e2e: with a client-certificate-only kubeconfig the cold flow runs, the inventory on a ServiceAccount token" {
	export KUBECONFIG="$SIM_DIR/kubeconfig-cert"
	local s ns sid
	for s in create-provider storagemap networkmap plan migrate check-vms; do
		run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
		[ "$status" -eq 0 ] || fail "mtv-$s exited $status: $stderr"
		echo "$stderr" >>"$BATS_TEST_TMPDIR/stderr"
	done
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	ns=$(state_field mtv-session.json targetNamespace)
	sid=$(state_field mtv-session.json id)
	# which credentials the inventory got is logged, the token never
	run grep -c "authenticated with a TokenRequest token of ServiceAccount $ns/$sid-mtv-steps" "$BATS_TEST_TMPDIR/stderr"
	[ "$output" -ge 5 ] || fail "expected every inventory user to log its credentials: $(cat "$BATS_TEST_TMPDIR/stderr")"
	run grep -E 'sim-sa\.[0-9a-f]{8}' -r "$BATS_TEST_TMPDIR/stderr" "$ARTIFACT_DIR" "$SHARED_DIR"
	assert_failure
	# the account and its RBAC are labelled and in the ledger, before the Secret
	run kc get serviceaccount,role,rolebinding -n "$ns" -l "mtv-steps/session=$sid" -o name
	assert_output --partial "serviceaccount/$sid-mtv-steps"
	assert_output --partial "role.rbac.authorization.k8s.io/$sid-mtv-steps-inventory"
	assert_output --partial "rolebinding.rbac.authorization.k8s.io/$sid-mtv-steps-inventory"
	grep -q '"ServiceAccount"' "$SHARED_DIR/mtv-resources.json"
	grep -q '"RoleBinding"' "$SHARED_DIR/mtv-resources.json"
	# not an OpenShift source: no cluster-wide rights
	run kc get clusterrolebinding "$sid-mtv-steps-source"
	assert_failure
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	run kc get serviceaccount "$sid-mtv-steps" -n "$ns"
	assert_failure
}

@test "e2e: an OpenShift source with a client-certificate-only kubeconfig gets a token in its Secret" {
	e2e_setup openshift-local
	export KUBECONFIG="$SIM_DIR/kubeconfig-cert"
	local ns sid name tok
	run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	[ "$status" -eq 0 ] || fail "mtv-create-provider exited $status: $stderr"
	ns=$(state_field mtv-session.json targetNamespace)
	sid=$(state_field mtv-session.json id)
	name=$(state_field mtv-providers.json name)
	tok=$(kc get secret "$name" -n "$ns" -o jsonpath='{.data.token}' | base64 -d)
	[ -n "$tok" ] || fail "the OpenShift source Secret has an empty token"
	# a token of the session's account, which Forklift may use cluster-wide
	run code /api/v1/namespaces -H "Authorization: Bearer $tok"
	assert_output 200
	run kc get clusterrolebinding "$sid-mtv-steps-source" -o jsonpath='{.roleRef.name} {.subjects[0].name}'
	assert_output "cluster-admin $sid-mtv-steps"
	[[ "$stderr" == *"Provider Secret gets a TokenRequest token of ServiceAccount $ns/$sid-mtv-steps"* ]]
	[[ "$stderr" != *"$tok"* ]]
	grep -q '"ClusterRoleBinding"' "$SHARED_DIR/mtv-resources.json"
	# teardown removes the cluster-scoped binding too
	run --separate-stderr "$MTV_BIN_DIR/mtv-teardown"
	[ "$status" -eq 0 ] || fail "mtv-teardown exited $status: $stderr"
	run kc get clusterrolebinding "$sid-mtv-steps-source"
	assert_failure
	run code /api/v1/namespaces -H "Authorization: Bearer $tok"
	assert_output 401
}

# kubectl create refuses an object with a resourceVersion, as the API server does
restore_route() {
	sed '/^  \(resourceVersion\|uid\|creationTimestamp\|generation\):/d' "$BATS_TEST_TMPDIR/route.yaml" | kc create -f -
}

# Last: it removes the Route of the shared sim (and puts it back).
@test "inventory: without a Route a step fails with exit 3 naming MTV_INVENTORY_URL and the namespace" {
	local before
	run_steps create-provider
	kc get route forklift-inventory -n openshift-mtv -o yaml >"$BATS_TEST_TMPDIR/route.yaml"
	kc delete route forklift-inventory -n openshift-mtv
	before=$(wc -l <"$SIM_DIR/requests.log")
	run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	restore_route
	assert_equal "$status" 3
	[[ "$stderr" == *"no forklift-inventory Route in namespace openshift-mtv"* ]] || fail "$stderr"
	[[ "$stderr" == *"MTV_INVENTORY_URL"* ]] || fail "$stderr"
	# nothing was tried through the service proxy
	run bash -c "tail -n +$((before + 1)) '$SIM_DIR/requests.log' | grep -c /proxy"
	assert_output 0
	# the service proxy, given by hand, fails the way a real one does
	MTV_INVENTORY_URL="$SIM_URL/api/v1/namespaces/openshift-mtv/services/https:forklift-inventory:8443/proxy" \
		run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	assert_equal "$status" 3
	[[ "$stderr" == *"401 Unauthorized: the inventory accepts bearer tokens only, and did not accept the bearer token of kubeconfig"* ]] ||
		fail "$stderr"
	# and MTV_INVENTORY_URL still works without a Route
	kc delete route forklift-inventory -n openshift-mtv
	MTV_INVENTORY_URL="$SIM_URL" run --separate-stderr "$MTV_BIN_DIR/mtv-storagemap"
	restore_route
	[ "$status" -eq 0 ] || fail "mtv-storagemap exited $status: $stderr"
}
