#!/usr/bin/env bats
# mtv-sim: start/stop contract and the Kubernetes API, driven by real kubectl and curl.

bats_require_minimum_version 1.5.0

setup_file() {
	load "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
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

@test "state dir holds kubeconfig, port, pid, ca.crt, providers.json and a request log" {
	for f in kubeconfig port pid ca.crt providers.json requests.log; do
		[ -s "$SIM_DIR/$f" ] || [ "$f" = requests.log ] || fail "missing $SIM_DIR/$f"
	done
	run grep -c "server: https://127.0.0.1:$(cat "$SIM_DIR/port")" "$SIM_DIR/kubeconfig"
	assert_output 1
	run kubectl get ns openshift-mtv -o jsonpath='{.status.phase}'
	assert_success
	assert_output Active
	run grep -c 'GET /api/v1/namespaces/openshift-mtv' "$SIM_DIR/requests.log"
	refute_output 0
}

@test "providers.json has one entry per world provider in the mtv-api-tests format" {
	run sim_json '[*].type' <"$SIM_DIR/providers.json"
	assert_output "vsphere ovirt openstack ova openshift"
	run sim_json '["vsphere-8.0.3"].api_url' '["vsphere-8.0.3"].username' '["vsphere-8.0.3"].fqdn' '["vsphere-8.0.3"].guest_vm_win_user' <"$SIM_DIR/providers.json"
	# url and fqdn name the provider's own TLS endpoint (tests/bats/tls.bats)
	assert_output --regexp '^https://127\.0\.0\.1:([0-9]+)/sdk administrator@vsphere\.local 127\.0\.0\.1:[0-9]+ Administrator$'
	run sim_json '["vsphere-8.0.3"].api_url' '["vsphere-8.0.3"].fqdn' <"$SIM_DIR/providers.json"
	[[ "$output" =~ ^https://([^/]*)/sdk\ (.*)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
		fail "api_url and fqdn disagree: $output"
}

@test "MTV is installed: healthy forklift pods, ForkliftController, inventory route, CSV, host provider" {
	run kubectl get pods -n openshift-mtv -o name
	assert_output --partial pod/forklift-controller-
	assert_output --partial pod/forklift-api-
	assert_output --partial pod/forklift-inventory-
	run kubectl wait --for=condition=Ready pod --all -n openshift-mtv --timeout=10s
	assert_success
	run kubectl get forkliftcontroller forklift-controller -n openshift-mtv -o name
	assert_success
	run kubectl get route -n openshift-mtv -l app=forklift,service=forklift-inventory -o jsonpath='{.items[0].spec.host}'
	# its own listener (tests/bats/tls.bats), not the API server
	assert_output --regexp '^127\.0\.0\.1:[0-9]+$'
	refute_output "127.0.0.1:$(cat "$SIM_DIR/port")"
	run kubectl get csv -n openshift-mtv -o jsonpath='{.items[0].spec.version}'
	assert_output 2.9.3
	run kubectl get csv -n openshift-mtv -o jsonpath='{.items[0].spec.install.spec.deployments[0].spec.template.spec.containers[0].env[?(@.name=="MUST_GATHER_IMAGE")].value}'
	assert_output --partial must-gather
	run kubectl get provider host -n openshift-mtv -o jsonpath='{.spec.type}'
	assert_output openshift
	run kubectl get clusterversion version -o jsonpath='{.status.desired.version}'
	assert_output 4.18.9
	run kubectl logs -n openshift-mtv deploy/forklift-controller
	assert_output --partial '"logger":"forklift-controller"'
}

@test "discovery lists the Forklift, KubeVirt, CDI and OpenShift kinds" {
	run kubectl api-resources --api-group=forklift.konveyor.io -o name
	assert_success
	assert_output --partial plans.forklift.konveyor.io
	assert_output --partial migrations.forklift.konveyor.io
	run kubectl api-resources -o name
	assert_output --partial virtualmachines.kubevirt.io
	assert_output --partial datavolumes.cdi.kubevirt.io
	assert_output --partial routes.route.openshift.io
	assert_output --partial network-attachment-definitions.k8s.cni.cncf.io
	assert_output --partial clusterversions.config.openshift.io
}

@test "requests without the bearer token get a 401 Status" {
	run curl -sS --cacert "$SIM_DIR/ca.crt" "$SIM_URL/api/v1/namespaces"
	assert_output --partial '"kind":"Status"'
	assert_output --partial '"code":401'
	run curl -sS --cacert "$SIM_DIR/ca.crt" -H "Authorization: Bearer wrong" "$SIM_URL/api/v1/namespaces"
	assert_output --partial '"reason":"Unauthorized"'
}

@test "create -f, AlreadyExists, missing namespace, generateName" {
	kubectl create ns api-create
	cat >"$BATS_TEST_TMPDIR/cm.yaml" <<-'YAML'
	apiVersion: v1
	kind: ConfigMap
	metadata: {name: cm1, namespace: api-create, labels: {app: web, tier: front}}
	data: {k: v1}
	YAML
	run kubectl create -f "$BATS_TEST_TMPDIR/cm.yaml"
	assert_success
	assert_output "configmap/cm1 created"
	run kubectl create -f "$BATS_TEST_TMPDIR/cm.yaml"
	assert_failure
	assert_output --partial 'AlreadyExists'
	assert_output --partial 'configmaps "cm1" already exists'
	run kubectl create configmap x -n no-such-ns
	assert_failure
	assert_output --partial 'namespaces "no-such-ns" not found'
	run sim_curl /api/v1/namespaces/api-create/configmaps -X POST -H 'Content-Type: application/json' \
		-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}}'
	assert_output --regexp '"name":"gen-[a-z0-9]{5}"'
	run sim_curl /api/v1/namespaces/api-create/configmaps/nope
	assert_output --partial '"code":404'
	assert_output --partial 'configmaps \"nope\" not found'
}

@test "apply, merge patch, json patch, label and field selectors" {
	kubectl create ns api-patch
	cat >"$BATS_TEST_TMPDIR/cm.yaml" <<-'YAML'
	apiVersion: v1
	kind: ConfigMap
	metadata: {name: a, namespace: api-patch, labels: {app: web, tier: front}}
	data: {k: v1}
	YAML
	run kubectl apply -f "$BATS_TEST_TMPDIR/cm.yaml"
	assert_output "configmap/a created"
	sed -i 's/v1}/v2}/' "$BATS_TEST_TMPDIR/cm.yaml"
	run kubectl apply -f "$BATS_TEST_TMPDIR/cm.yaml"
	assert_output "configmap/a configured"
	run kubectl get cm a -n api-patch -o jsonpath='{.data.k}'
	assert_output v2
	kubectl patch cm a -n api-patch --type merge -p '{"data":{"m":"x"}}'
	kubectl patch cm a -n api-patch --type json -p '[{"op":"replace","path":"/data/k","value":"v3"},{"op":"remove","path":"/data/m"}]'
	run kubectl get cm a -n api-patch -o jsonpath='{.data}'
	assert_output '{"k":"v3"}'
	run kubectl patch cm a -n api-patch --type json -p '[{"op":"remove","path":"/data/missing"}]'
	assert_failure
	kubectl create cm b -n api-patch
	kubectl label cm b -n api-patch app=db
	kubectl create cm c -n api-patch
	run kubectl get cm -n api-patch -l 'app in (web,db)' -o name
	assert_output $'configmap/a\nconfigmap/b'
	run kubectl get cm -n api-patch -l 'app notin (web),app' -o name
	assert_output configmap/b
	run kubectl get cm -n api-patch -l '!app' -o name
	assert_output --partial configmap/c
	refute_output --partial configmap/a
	run kubectl get cm -n api-patch -l 'app!=web' -o name
	refute_output --partial configmap/a
	run kubectl get cm -n api-patch --field-selector metadata.name=b -o name
	assert_output configmap/b
	run kubectl get cm -A --field-selector metadata.namespace=api-patch,metadata.name!=c -o name
	assert_output $'configmap/a\nconfigmap/b'
}

@test "replace with a stale resourceVersion is a 409 Conflict" {
	kubectl create ns api-conflict
	kubectl create cm c -n api-conflict --from-literal=a=1
	local obj
	obj=$(kubectl get cm c -n api-conflict -o json)
	kubectl patch cm c -n api-conflict --type merge -p '{"data":{"a":"2"}}'
	run sim_curl /api/v1/namespaces/api-conflict/configmaps/c -X PUT -H 'Content-Type: application/json' -d "$obj"
	assert_output --partial '"code":409'
	assert_output --partial 'the object has been modified'
	obj=$(kubectl get cm c -n api-conflict -o json)
	run sim_curl /api/v1/namespaces/api-conflict/configmaps/c -X PUT -H 'Content-Type: application/json' -d "$obj"
	assert_output --partial '"a":"2"'
	refute_output --partial '"kind":"Status"'
}

@test "list with limit and continue pages through every item once" {
	kubectl create ns api-page
	for i in 1 2 3 4 5; do kubectl create cm "p$i" -n api-page; done
	run sim_curl '/api/v1/namespaces/api-page/configmaps?limit=2'
	assert_output --partial '"remainingItemCount":3'
	run kubectl get cm -n api-page --chunk-size=2 -o name
	assert_output $'configmap/p1\nconfigmap/p2\nconfigmap/p3\nconfigmap/p4\nconfigmap/p5'
}

@test "status subresource and generation" {
	kubectl create ns api-status
	kubectl create -f - <<-'YAML'
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: c, namespace: api-status}
	spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
	YAML
	run kubectl get pvc c -n api-status -o jsonpath='{.metadata.generation}'
	assert_output 1
	# status sent to the main resource is ignored
	kubectl patch pvc c -n api-status --type merge -p '{"status":{"phase":"Bound"}}'
	run kubectl get pvc c -n api-status -o jsonpath='{.status.phase}'
	assert_output ""
	kubectl patch pvc c -n api-status --subresource=status --type merge -p '{"status":{"phase":"Bound"}}'
	run kubectl get pvc c -n api-status -o jsonpath='{.status.phase}/{.metadata.generation}'
	assert_output Bound/1
	kubectl label pvc c -n api-status x=y
	run kubectl get pvc c -n api-status -o jsonpath='{.metadata.generation}'
	assert_output 1
	kubectl patch pvc c -n api-status --type merge -p '{"spec":{"volumeName":"pv1"}}'
	run kubectl get pvc c -n api-status -o jsonpath='{.metadata.generation}'
	assert_output 2
}

@test "finalizers hold a deletion; a namespace deletes its contents" {
	kubectl create ns api-del
	kubectl create cm keep -n api-del
	kubectl create cm plain -n api-del
	kubectl patch cm keep -n api-del --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'
	run kubectl delete cm keep -n api-del --wait=false
	assert_success
	run kubectl get cm keep -n api-del -o jsonpath='{.metadata.deletionTimestamp}'
	assert_output --regexp '^20[0-9-]+T'
	run kubectl delete ns api-del --wait=false
	assert_success
	run kubectl get ns api-del -o jsonpath='{.status.phase}'
	assert_output Terminating
	run kubectl get cm plain -n api-del
	assert_failure
	run kubectl create cm new -n api-del
	assert_failure
	assert_output --partial 'because it is being terminated'
	kubectl patch cm keep -n api-del --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
	run kubectl get ns api-del
	assert_failure
	assert_output --partial 'namespaces "api-del" not found'
}

@test "kubectl delete --wait and ownerReferences garbage collection" {
	kubectl create ns api-gc
	kubectl create cm owner -n api-gc
	local uid
	uid=$(kubectl get cm owner -n api-gc -o jsonpath='{.metadata.uid}')
	kubectl create -f - <<-YAML
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: child
	  namespace: api-gc
	  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid"}]
	YAML
	run kubectl delete cm owner -n api-gc --wait=true --timeout=10s
	assert_success
	run kubectl get cm child -n api-gc
	assert_failure
}

@test "watch replays ADDED, MODIFIED, DELETED from a resourceVersion and ends at timeoutSeconds" {
	kubectl create ns api-watch
	local rv
	rv=$(sim_curl /api/v1/namespaces/api-watch/configmaps | sim_json metadata.resourceVersion)
	kubectl create cm w -n api-watch
	kubectl label cm w -n api-watch a=b
	kubectl delete cm w -n api-watch
	run sim_curl "/api/v1/namespaces/api-watch/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1"
	assert_success
	assert_line --index 0 --partial '{"type":"ADDED"'
	assert_line --index 1 --partial '{"type":"MODIFIED"'
	assert_line --index 2 --partial '{"type":"DELETED"'
	run sim_curl "/api/v1/namespaces/api-watch/configmaps?watch=1&resourceVersion=5&timeoutSeconds=1"
	assert_output --partial '"type":"ERROR"'
	assert_output --partial '"code":410'
	run sim_curl "/api/v1/namespaces/api-watch/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1&labelSelector=a%3Db"
	assert_line --index 0 --partial '{"type":"MODIFIED"'
}

@test "kubectl get --watch follows changes live" {
	kubectl create ns api-live
	timeout 60 kubectl get cm -n api-live --watch -o json --output-watch-events >"$BATS_TEST_TMPDIR/watch.out" 2>&1 3>&- &
	local wpid=$!
	# create only once the watch is established, so the events are live ones
	sim_until grep -q 'GET /api/v1/namespaces/api-live/configmaps watch=1' "$SIM_DIR/requests.log"
	kubectl create cm live -n api-live
	kubectl label cm live -n api-live x=y
	kubectl delete cm live -n api-live
	sim_until grep -q '"type":"DELETED"' "$BATS_TEST_TMPDIR/watch.out"
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	run grep -o '"type":"[A-Z]*"' "$BATS_TEST_TMPDIR/watch.out"
	assert_output $'"type":"ADDED"\n"type":"MODIFIED"\n"type":"DELETED"'
}

@test "kubectl wait --for=condition on a Forklift kind" {
	kubectl create ns api-wait
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Hook
	metadata: {name: h, namespace: api-wait}
	spec: {image: quay.io/konveyor/hook-runner}
	YAML
	run kubectl wait --for=condition=Ready hook/h -n api-wait --timeout=20s
	assert_success
	assert_output 'hook.forklift.konveyor.io/h condition met'
	run kubectl get hook h -n api-wait -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}'
	assert_output 'The hook is ready.'
}

@test "watch sends BOOKMARK events when asked and ends at timeoutSeconds" {
	kubectl create ns api-bm
	run sim_curl "/api/v1/namespaces/api-bm/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=3"
	assert_success
	assert_output --partial '"type":"BOOKMARK"'
}

@test "invalid Forklift objects are rejected with 422 naming the field" {
	crds_or_skip
	kubectl create ns api-crd
	run kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Plan
	metadata: {name: bad, namespace: api-crd}
	spec:
	  targetNamespace: api-crd
	  type: lukewarm
	  vmz: []
	  provider: {source: {name: src, namespace: api-crd}, destination: {name: host, namespace: openshift-mtv}}
	  map: {network: {name: net, namespace: api-crd}, storage: {name: st, namespace: api-crd}}
	YAML
	assert_failure
	assert_output --partial 'spec.vms: Required value'
	assert_output --partial 'spec.type: Unsupported value: "lukewarm"'
	assert_output --partial 'spec.vmz: Forbidden: field not declared in schema'
	run sim_curl /apis/forklift.konveyor.io/v1beta1/namespaces/api-crd/providers -X POST -H 'Content-Type: application/json' \
		-d '{"apiVersion":"forklift.konveyor.io/v1beta1","kind":"Provider","metadata":{"name":"p"},"spec":{"type":7}}'
	assert_output --partial '"code":422'
	assert_output --partial '"reason":"Invalid"'
	assert_output --partial 'spec.type'
	run kubectl get plan bad -n api-crd
	assert_failure
}

@test "Forklift objects get CRD defaults and printer columns" {
	crds_or_skip
	kubectl create ns api-cols
	kubectl create -f - <<-'YAML'
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: vs, namespace: api-cols}
	spec: {type: vsphere, url: "https://vcenter.sim.example/sdk", secret: {name: s, namespace: api-cols}}
	YAML
	run kubectl get provider vs -n api-cols -o jsonpath='{.spec.settings.sdkEndpoint}'
	assert_output vcenter
	run kubectl get providers -n api-cols
	assert_line --index 0 --regexp '^NAME +TYPE +STATUS +READY +CONNECTED +INVENTORY +URL +AGE'
}

@test "malformed requests get Status errors, not crashes" {
	run sim_curl /api/v1/namespaces/default/configmaps -X POST -H 'Content-Type: application/json' -d '{not json'
	assert_output --partial '"code":400'
	run sim_curl '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(b' 
	assert_output --partial '"code":400'
	run sim_curl /apis/nope.example.com/v1/things
	assert_output --partial '"code":404'
	run sim_curl /api/v1/namespaces/default/configmaps -X POST -H 'Content-Type: application/json' \
		-d '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'
	assert_output --partial '"code":400'
	run sim_curl /version
	assert_output --partial '"gitVersion"'
}

@test "OpenShift OAuth login: kubeadmin's password yields the API token, a wrong one 401" {
	run curl -sS --cacert "$SIM_DIR/ca.crt" "$SIM_URL/.well-known/oauth-authorization-server"
	assert_output --partial "\"authorization_endpoint\":\"$SIM_URL/oauth/authorize\""
	local loc token
	loc=$(curl -sS --cacert "$SIM_DIR/ca.crt" -u "kubeadmin:$(cat "$SIM_DIR/kubeadmin-password")" -H 'X-CSRF-Token: 1' \
		-o /dev/null -w '%{redirect_url}' "$SIM_URL/oauth/authorize?response_type=token&client_id=openshift-challenging-client")
	token=${loc#*access_token=}
	token=${token%%&*}
	[ "$token" = "$(cat "$SIM_DIR/token")" ] || fail "the login did not return the API token"
	run kubectl --kubeconfig /dev/null --server "$SIM_URL" --certificate-authority "$SIM_DIR/ca.crt" --token "$token" get ns default -o name
	assert_output namespace/default
	run curl -sS --cacert "$SIM_DIR/ca.crt" -u kubeadmin:wrong -o /dev/null -w '%{http_code}' \
		"$SIM_URL/oauth/authorize?response_type=token&client_id=openshift-challenging-client"
	assert_output 401
}

@test "after all of the above the sim stops cleanly on SIGTERM" {
	run sim_stop_checked
	assert_success
}
