#!/usr/bin/env bats
# TLS as on a real cluster: the inventory Route presents the router's
# certificate (ingress CA, published in openshift-config-managed/
# default-ingress-cert), every source provider has its own endpoint and CA,
# and the Provider connection test verifies the Secret's CA as Forklift does.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

route_host() {
	kc get route -n openshift-mtv forklift-inventory -o jsonpath='{.spec.host}'
}

ingress_ca() {
	kc get configmap -n openshift-config-managed default-ingress-cert -o jsonpath='{.data.ca-bundle\.crt}'
}

# chain HOST:PORT: the certificates the server presents, as PEM.
chain() {
	openssl s_client -connect "$1" -showcerts </dev/null 2>/dev/null |
		sed -n '/-BEGIN CERTIFICATE-/,/-END CERTIFICATE-/p'
}

# provider NS NAME TYPE URL [secret key=value...]: a Secret and a Provider;
# prints nothing.  Secret values come from files so PEMs keep their lines.
provider() {
	local ns=$1 name=$2 type=$3 url=$4
	shift 4
	kc create namespace "$ns" >/dev/null 2>&1 || true
	kc create secret generic "$name" -n "$ns" "$@" >/dev/null
	kc apply -f - >/dev/null <<-YAML
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: $name, namespace: $ns}
	spec: {type: $type, url: "$url", secret: {name: $name, namespace: $ns}}
	YAML
}

phase_of() {
	kc get provider -n "$1" "$2" -o jsonpath='{.status.phase}'
}

# wait_phase NS NAME: until the Provider has a final phase, then print it
# and the ConnectionTestFailed message.
wait_phase() {
	local i p
	for i in $(seq 1 200); do
		p=$(phase_of "$1" "$2")
		case "$p" in Ready | ConnectionFailed | ValidationFailed) break ;; esac
		sleep 0.05
	done
	echo "$p"
	kc get provider -n "$1" "$2" \
		-o jsonpath='{range .status.conditions[?(@.type=="ConnectionTestFailed")]}{.message}{end}'
}

field() {
	sim_json "[\"$1\"].$2" <"$SIM_DIR/providers.json"
}

@test "tls: the inventory Route has its own listener with the router's certificate, not the API server's" {
	local host api
	host=$(route_host)
	api=${SIM_URL#https://}
	[ "$host" != "$api" ] || fail "the Route host is the API server ($api)"
	assert_regex "$host" '^127\.0\.0\.1:[0-9]+$'
	ingress_ca >"$BATS_TEST_TMPDIR/ingress.crt"
	run grep -c 'BEGIN CERTIFICATE' "$BATS_TEST_TMPDIR/ingress.crt"
	assert_output 1
	# the kubeconfig's CA does not verify it; the published ingress CA does
	run curl -sS -o /dev/null --cacert "$SIM_DIR/ca.crt" "https://$host/providers"
	assert_equal "$status" 60
	run curl -sS -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/ingress.crt" \
		-H "Authorization: Bearer $(cat "$SIM_DIR/token")" "https://$host/providers"
	assert_output 200
	# and the ingress CA does not verify the API server
	run curl -sS -o /dev/null --cacert "$BATS_TEST_TMPDIR/ingress.crt" "$SIM_URL/healthz"
	assert_equal "$status" 60
}

@test "tls: the Route leads to the inventory only" {
	ingress_ca >"$BATS_TEST_TMPDIR/ingress.crt"
	run curl -sS -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/ingress.crt" \
		-H "Authorization: Bearer $(cat "$SIM_DIR/token")" "https://$(route_host)/api/v1/namespaces"
	assert_output 404
}

@test "tls: providers.json names each source's own TLS endpoint, each with its own CA" {
	local p fqdn url seen=""
	for p in vsphere-8.0.3 ovirt-4.5.5 openstack-17.1; do
		fqdn=$(field "$p" fqdn)
		url=$(field "$p" api_url)
		assert_regex "$fqdn" '^127\.0\.0\.1:[0-9]+$'
		[[ "$url" == "https://$fqdn/"* ]] || fail "$p: api_url $url is not on fqdn $fqdn"
		chain "$fqdn" >"$BATS_TEST_TMPDIR/$p.pem"
		[ -s "$BATS_TEST_TMPDIR/$p.pem" ] || fail "$p: $fqdn served no certificate"
		# what the server presents verifies it; the API CA does not
		run curl -sS -o /dev/null --cacert "$BATS_TEST_TMPDIR/$p.pem" "https://$fqdn/"
		assert_success
		run curl -sS -o /dev/null --cacert "$SIM_DIR/ca.crt" "https://$fqdn/"
		assert_equal "$status" 60
		seen="$seen $(openssl x509 -noout -issuer <"$BATS_TEST_TMPDIR/$p.pem")"
	done
	# three different issuers
	run bash -c "grep -o 'CN = [a-z]* CA ([^)]*)' <<<'$seen' | sort -u | wc -l"
	assert_output 3
	# OVA has no TLS endpoint; its fqdn stays the NFS host
	run field ova-nfs fqdn
	assert_output nfs.sim.example
}

@test "tls: the oVirt endpoint publishes its engine CA at the pki-resource path" {
	local fqdn
	fqdn=$(field ovirt-4.5.5 fqdn)
	curl -sS -k -o "$BATS_TEST_TMPDIR/engine-ca.pem" \
		"https://$fqdn/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA"
	run curl -sS -o /dev/null --cacert "$BATS_TEST_TMPDIR/engine-ca.pem" "https://$fqdn/"
	assert_success
}

@test "tls: create-provider with default settings verifies every source and reaches the inventory through the Route" {
	local p ns name
	for p in vsphere-8.0.3 ovirt-4.5.5 openstack-17.1; do
		rm -rf "$SHARED_DIR"/*
		MTV_SOURCE_PROVIDER=$p run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
		[ "$status" -eq 0 ] || fail "$p: mtv-create-provider exited $status: $stderr"
		[[ "$stderr" == *"inventory (Route forklift-inventory)"* ]] || fail "$p: inventory not via the Route: $stderr"
		ns=$(state_field mtv-session.json targetNamespace)
		name=$(kc get provider -n "$ns" -o name | grep source | head -1)
		name=${name#*/}
		run kc get secret -n "$ns" "$name" -o jsonpath='{.data.insecureSkipVerify}'
		assert_output "$(printf false | base64)"
		# both keys: ca.crt (read first since Forklift 2.12), cacert (up to 2.11)
		kc get secret -n "$ns" "$name" -o jsonpath='{.data.ca\.crt}' | base64 -d >"$BATS_TEST_TMPDIR/ca.crt"
		kc get secret -n "$ns" "$name" -o jsonpath='{.data.cacert}' | base64 -d >"$BATS_TEST_TMPDIR/cacert"
		cmp -s "$BATS_TEST_TMPDIR/ca.crt" "$BATS_TEST_TMPDIR/cacert" || fail "$p: ca.crt and cacert differ"
		grep -q 'BEGIN CERTIFICATE' "$BATS_TEST_TMPDIR/ca.crt" || fail "$p: no CA in the Secret"
		run kc get provider -n "$ns" "$name" -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="ConnectionInsecure")].type}'
		assert_output "Ready "
	done
}

@test "tls: a Secret CA that does not verify the provider's certificate fails the connection test as Forklift does" {
	local vs ov os ns=tls-bad
	vs=$(field vsphere-8.0.3 fqdn)
	ov=$(field ovirt-4.5.5 fqdn)
	os=$(field openstack-17.1 fqdn)
	chain "$vs" >"$BATS_TEST_TMPDIR/vs.pem"
	printf 'not a certificate\n' >"$BATS_TEST_TMPDIR/junk.pem"
	local vsauth=(--from-literal=user=administrator@vsphere.local --from-literal=password=sim-vsphere-password)
	local ovauth=(--from-literal=user=admin@internal --from-literal=password=sim-ovirt-password)
	local osauth=(--from-literal=username=admin --from-literal=password=sim-openstack-password)

	# vSphere: validateTLSConnection (base.VerifyTLSConnection)
	provider $ns vs-wrong vsphere "https://$vs/sdk" "${vsauth[@]}" --from-file=ca.crt="$SIM_DIR/ca.crt"
	run wait_phase $ns vs-wrong
	assert_output "ConnectionFailed
failed to create a secure TLS connection: tls: failed to verify certificate: x509: certificate signed by unknown authority"
	provider $ns vs-junk vsphere "https://$vs/sdk" "${vsauth[@]}" --from-file=ca.crt="$BATS_TEST_TMPDIR/junk.pem"
	run wait_phase $ns vs-junk
	assert_output "ConnectionFailed
failed to get TLS certificate: failed to parse the specified certificate"
	# ca.crt is read first: a right legacy cacert does not rescue a wrong ca.crt
	provider $ns vs-both vsphere "https://$vs/sdk" "${vsauth[@]}" \
		--from-file=ca.crt="$SIM_DIR/ca.crt" --from-file=cacert="$BATS_TEST_TMPDIR/vs.pem"
	run wait_phase $ns vs-both
	assert_line --index 0 ConnectionFailed
	# the legacy key alone still works, and the world url is an alias of the endpoint
	provider $ns vs-legacy vsphere "https://vcenter.sim.example/sdk" "${vsauth[@]}" --from-file=cacert="$BATS_TEST_TMPDIR/vs.pem"
	run wait_phase $ns vs-legacy
	assert_output Ready
	# no CA at all with verification on: the Secret is not valid
	provider $ns vs-none vsphere "https://$vs/sdk" "${vsauth[@]}"
	run wait_phase $ns vs-none
	assert_output ValidationFailed
	run kc get provider -n $ns vs-none -o jsonpath='{.status.conditions[?(@.type=="SecretNotValid")].reason} {.status.conditions[?(@.type=="SecretNotValid")].items}'
	assert_output 'DataErr ["ca.crt"]'

	# oVirt: the connection test's token request
	provider $ns ov-wrong ovirt "https://$ov/ovirt-engine/api" "${ovauth[@]}" --from-file=ca.crt="$BATS_TEST_TMPDIR/vs.pem"
	run wait_phase $ns ov-wrong
	assert_output "ConnectionFailed
Connection test, failed: Post \"https://$ov/ovirt-engine/sso/oauth/token\": tls: failed to verify certificate: x509: certificate signed by unknown authority"

	# OpenStack: no CA means the system pool, which does not know the Keystone CA
	provider $ns os-none openstack "https://$os/v3" "${osauth[@]}"
	run wait_phase $ns os-none
	assert_output "ConnectionFailed
Connection test, failed: Post \"https://$os/v3/auth/tokens\": tls: failed to verify certificate: x509: certificate signed by unknown authority"

	# a wrong CA wins over wrong credentials: the handshake comes first
	provider $ns vs-both-bad vsphere "https://$vs/sdk" --from-literal=user=x --from-literal=password=y \
		--from-file=ca.crt="$SIM_DIR/ca.crt"
	run wait_phase $ns vs-both-bad
	assert_line --index 0 ConnectionFailed
	run kc get provider -n $ns vs-both-bad -o jsonpath='{.status.conditions[?(@.type=="ConnectionAuthFailed")].type}'
	assert_output ""
}

@test "tls: create-provider fails with the connection test's message when the fetched CA is not the provider's" {
	# a providers file whose fqdn is another provider's endpoint: the CA
	# fetched from it does not verify the vSphere url
	sed "s/\"fqdn\":[[:space:]]*\"$(field vsphere-8.0.3 fqdn)\"/\"fqdn\": \"$(field ovirt-4.5.5 fqdn)\"/" \
		"$SIM_DIR/providers.json" >"$BATS_TEST_TMPDIR/providers.json"
	MTV_PROVIDERS_FILE="$BATS_TEST_TMPDIR/providers.json" MTV_PROVIDER_READY_TIMEOUT=10 \
		run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	assert_equal "$status" 1
	[[ "$stderr" == *"ConnectionTestFailed: failed to create a secure TLS connection: tls: failed to verify certificate: x509: certificate signed by unknown authority"* ]] ||
		fail "unexpected: $stderr"
}

@test "tls: MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true skips the CA and the sim warns as Forklift does" {
	local ns name
	MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	[ "$status" -eq 0 ] || fail "mtv-create-provider exited $status: $stderr"
	ns=$(state_field mtv-session.json targetNamespace)
	name=$(kc get provider -n "$ns" -o name | grep source | head -1)
	name=${name#*/}
	run kc get secret -n "$ns" "$name" -o jsonpath='{.data.insecureSkipVerify} {.data.ca\.crt}{.data.cacert}'
	assert_output "$(printf true | base64) "
	run kc get provider -n "$ns" "$name" -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="ConnectionInsecure")].reason}'
	assert_output "Ready SkipTLSVerification"
}

@test "tls: without the ingress CA the Route fails verification; MTV_INVENTORY_INSECURE_SKIP_VERIFY=true gets through" {
	kc get configmap -n openshift-config-managed default-ingress-cert -o json >"$BATS_TEST_TMPDIR/cm.json"
	kc delete configmap -n openshift-config-managed default-ingress-cert >/dev/null
	MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	local rc=$status err=$stderr
	rm -rf "$SHARED_DIR"/*
	MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true MTV_INVENTORY_INSECURE_SKIP_VERIFY=true \
		run --separate-stderr "$MTV_BIN_DIR/mtv-create-provider"
	local rc2=$status err2=$stderr
	sed 's/"resourceVersion":"[0-9]*",//; s/"uid":"[^"]*",//' "$BATS_TEST_TMPDIR/cm.json" | kc create -f - >/dev/null
	assert_equal "$rc" 3
	[[ "$err" == *"inventory (Route forklift-inventory)"*"SSL certificate problem"* ]] || fail "unexpected: $err"
	[ "$rc2" -eq 0 ] || fail "with MTV_INVENTORY_INSECURE_SKIP_VERIFY=true: exit $rc2: $err2"
}
