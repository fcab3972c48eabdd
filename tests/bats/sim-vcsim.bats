#!/usr/bin/env bats
# mtv-sim with a vSphere provider backed by a live vcsim (world
# tests/fixtures/worlds/vcsim.json, "backend": "vcsim"): the inventory is
# what vcsim holds (the seeded tier0 VMs and vcsim's own DC0_* VMs, with
# vcsim's morefs), follows clones and deletions, the Provider connection
# test logs in to vcsim for real, and a cold migration of a vcsim VM runs
# through the steps.  One vcsim and one sim (--speed 0) for the file.
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_start "$MTV_SRC_DIR/tests/fixtures/worlds/vcsim.json" --speed 0
}

teardown_file() {
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_stop
}

setup() {
	e2e_setup vsphere-vcsim
	source "$MTV_SRC_DIR/tests/vcsim/vcsim.bash"
	vcsim_sim_attach
	PROBE="$MTV_TEST_BIN_DIR/progs/vsphereprobe"
}

probe() {
	VSPHERE_CA_FILE="$CA_FILE" VSPHERE_PASSWORD="$VCSIM_PASSWORD" "$PROBE" "$VCSIM_URL" "$VCSIM_USER" "$@"
}

# provider NAME PASSWORD [CA-PEM|insecure]: a Secret and a Provider on vcsim's url.
provider() {
	local name=$1 pass=$2 tls=${3:-}
	local extra="insecureSkipVerify: \"true\""
	if [ -n "$tls" ] && [ "$tls" != insecure ]; then
		extra="cacert: |
$(sed 's/^/    /' <<<"$tls")"
	fi
	kc apply -f - >/dev/null <<-YAML
	apiVersion: v1
	kind: Namespace
	metadata: {name: vct}
	---
	apiVersion: v1
	kind: Secret
	metadata: {name: $name-secret, namespace: vct}
	stringData:
	  user: $VCSIM_USER
	  password: "$pass"
	  $extra
	---
	apiVersion: forklift.konveyor.io/v1beta1
	kind: Provider
	metadata: {name: $name, namespace: vct}
	spec:
	  type: vsphere
	  url: "$VCSIM_URL"
	  secret: {name: $name-secret, namespace: vct}
	YAML
}

# cond NAME: the types of the Provider's conditions, space separated.
conds() {
	kc get provider "$1" -n vct -o jsonpath='{range .status.conditions[*]}{.type} {end}'
}

cond_message() {
	kc get provider "$1" -n vct -o jsonpath="{.status.conditions[?(@.type==\"$2\")].message}"
}

ready_provider_uid() {
	provider vs "$VCSIM_PASSWORD" "${CA_FILE:+$(cat "$CA_FILE")}"
	kc wait --for=condition=Ready provider/vs -n vct --timeout=30s >/dev/null
	kc get provider vs -n vct -o jsonpath='{.metadata.uid}'
}

inv() {
	local route
	route=$(kc get route forklift-inventory -n openshift-mtv -o jsonpath='{.spec.host}')
	curl -sS --cacert <(kc get configmap default-ingress-cert -n openshift-config-managed -o jsonpath='{.data.ca-bundle\.crt}') \
		-H "Authorization: Bearer $(cat "$SIM_DIR/token")" "https://$route/providers/vsphere/$UID_/$1"
}

j() {
	"$MTV_BIN_DIR/mtv-sim" json "$@"
}

@test "sim-vcsim: providers.json points at vcsim with the world's credentials" {
	run j '["vsphere-vcsim"].api_url' '["vsphere-vcsim"].fqdn' '["vsphere-vcsim"].username' '["vsphere-vcsim"].password' \
		<"$SIM_DIR/providers.json"
	assert_success
	local hostport=${VCSIM_URL#*://}
	hostport=${hostport%%/*}
	assert_output "$VCSIM_URL $hostport administrator@vsphere.local sim-vcsim-password"
	[[ "$VCSIM_URL" == https://127.0.0.1:*/sdk ]]
}

@test "sim-vcsim: the inventory lists vcsim's VMs with vcsim's facts and morefs" {
	UID_=$(ready_provider_uid)
	run inv vms
	assert_success
	vms=$output
	# the four seeded VMs and vcsim's own four, nothing else
	assert_equal "$(j '[*].name' <<<"$vms" | tr ' ' '\n' | sort | tr '\n' ' ')" \
		"DC0_C0_RP0_VM0 DC0_C0_RP0_VM1 DC0_H0_VM0 DC0_H0_VM1 mtv-rhel8-warm-2disks2nics mtv-tests-rhel8 mtv-win2019-3disks mtv-win2022-ip-3disks "
	# each id is the moref vcsim reports for that name
	while read -r line; do
		name=${line#vm=}
		name=${name%% *}
		ref=$(sed 's/.* ref=\([^ ]*\) .*/\1/' <<<"$line")
		[[ "$ref" =~ ^vm-[0-9]+$ ]] || fail "vcsim ref $ref"
		assert_equal "$(j '[0].id' <<<"$(inv "vms?name=$name")")" "$ref"
	done < <(probe vms mtv-tests-rhel8 mtv-rhel8-warm-2disks2nics DC0_H0_VM0 | grep '^vm=')

	one=$(inv "vms?name=mtv-rhel8-warm-2disks2nics")
	run j '[0].cpuCount' '[0].coresPerSocket' '[0].memoryMB' '[0].powerState' '[0].firmware' '[0].guestId' \
		'[0].changeTrackingEnabled' '[0].path' '[0].disks#' '[0].nics#' <<<"$one"
	assert_output "2 1 8192 poweredOn bios rhel8_64Guest true /DC0/vm/mtv-rhel8-warm-2disks2nics 2 2"
	# disks: capacity and the datastore they are on, by vcsim's datastore moref and name
	run j '[0].disks[0].capacity' '[0].disks[1].capacity' <<<"$one"
	assert_output "32212254720 10737418240"
	ds0=$(j '[0].disks[0].datastore.id' <<<"$one")
	ds1=$(j '[0].disks[1].datastore.id' <<<"$one")
	dss=$(inv datastores)
	assert_equal "$(j "[*]" <<<"$dss" | grep -o "\"id\":\"$ds0\",\"name\":\"[^\"]*\"")" "\"id\":\"$ds0\",\"name\":\"mtv-nfs-ds\""
	assert_equal "$(j "[*]" <<<"$dss" | grep -o "\"id\":\"$ds1\",\"name\":\"[^\"]*\"")" "\"id\":\"$ds1\",\"name\":\"mtv-vmfs-ds\""
	# the same as vcsim says through lib/vsphere
	run probe vms mtv-rhel8-warm-2disks2nics
	assert_line --regexp "^  disk .*file=\\[mtv-nfs-ds\\] .* datastore=$ds0 capacity=32212254720"
	# NICs: MACs, and networks by id: a standard network and a DVS portgroup
	run j '[0].nics[0].mac' '[0].nics[1].mac' '[0].nics[0].network.id' '[0].nics[1].network.id' <<<"$one"
	[[ "$output" =~ ^00:50:56:a1:00:02\ 00:50:56:a1:00:03\ network-[0-9]+\ dvportgroup-[0-9]+$ ]] || fail "nics: $output"
	nets=$(inv networks)
	net0=$(j '[0].nics[0].network.id' <<<"$one")
	net1=$(j '[0].nics[1].network.id' <<<"$one")
	j '[*]' <<<"$nets" | grep -q "\"id\":\"$net0\",\"name\":\"VM Network\"" || fail "$net0 is not VM Network: $nets"
	j '[*]' <<<"$nets" | grep -q "\"id\":\"$net1\",\"name\":\"Mgmt Network\".*\"variant\":\"DvPortGroup\"" || fail "$net1: $nets"
	# vcsim's own portgroup is there too
	j '[*].name' <<<"$nets" | grep -q DC0_DVPG0
	# guest IP of the first NIC (vcsim's SET.guest.ipAddress), tools running
	run j '[0].ipAddress' '[0].guestNetworks[0].mac' <<<"$one"
	assert_output "10.10.1.22 00:50:56:a1:00:02"

	win=$(inv "vms?name=mtv-win2019-3disks")
	run j '[0].powerState' '[0].firmware' '[0].cpuCount' '[0].coresPerSocket' '[0].disks#' '[0].changeTrackingEnabled' '[0].guestId' <<<"$win"
	assert_output "poweredOff efi 4 2 3 false windows2019srv_64Guest"
	# vcsim's own VMs: 1 CPU, 32 MB, a 1 MiB disk on LocalDS_0, on a host
	dc0=$(inv "vms?name=DC0_H0_VM0")
	run j '[0].cpuCount' '[0].memoryMB' '[0].disks[0].capacity' '[0].disks[0].file' '[0].powerState' <<<"$dc0"
	assert_output "1 32 1048576 [LocalDS_0] DC0_H0_VM0/disk1.vmdk poweredOn"
	[[ "$(j '[0].host' <<<"$dc0")" =~ ^host-[0-9]+$ ]]
	# hosts, clusters, datacenters, folders come from vcsim too
	assert_equal "$(j '[*].name' <<<"$(inv datacenters)")" DC0
	assert_equal "$(j '[*].name' <<<"$(inv clusters)")" DC0_C0
	assert_equal "$(j '[*].name' <<<"$(inv hosts)" | tr ' ' '\n' | sort | tr '\n' ' ')" "DC0_C0_H0 DC0_C0_H1 DC0_C0_H2 DC0_H0 "
	j '[*].name' <<<"$(inv folders)" | grep -qw vm
}

@test "sim-vcsim: a clone made in vcsim appears in the inventory, a destroyed VM goes, within 2 s" {
	UID_=$(ready_provider_uid)
	local clone="mtv-sim-clone-$RANDOM" t0 t1 i
	run probe clone mtv-tests-rhel8 "$clone" off
	assert_success
	ref=$(sed -n "s/^clone=$clone ref=//p" <<<"$output")
	t0=$(date +%s%N)
	for ((i = 0; i < 100; i++)); do
		[ "$(j '[0].id' <<<"$(inv "vms?name=$clone")" 2>/dev/null)" = "$ref" ] && break
		sleep 0.05
	done
	t1=$(date +%s%N)
	assert_equal "$(j '[0].id' <<<"$(inv "vms?name=$clone")")" "$ref"
	echo "# clone $clone ($ref) listed after $(((t1 - t0) / 1000000)) ms" >&3
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] || fail "clone took $(((t1 - t0) / 1000000)) ms to show"
	# the clone has the source's facts, as vcsim copied them
	run j '[0].cpuCount' '[0].memoryMB' '[0].disks[0].capacity' '[0].powerState' <<<"$(inv "vms?name=$clone")"
	assert_output "2 4096 21474836480 poweredOff"

	run probe destroy "$clone"
	assert_success
	t0=$(date +%s%N)
	for ((i = 0; i < 100; i++)); do
		[ "$(inv "vms?name=$clone")" = "[]" ] && break
		sleep 0.05
	done
	t1=$(date +%s%N)
	assert_equal "$(inv "vms?name=$clone")" "[]"
	echo "# destroyed VM gone after $(((t1 - t0) / 1000000)) ms" >&3
	[ $(((t1 - t0) / 1000000)) -lt 2000 ]
	run curl -sS -o /dev/null -w '%{http_code}' --cacert <(kc get configmap default-ingress-cert -n openshift-config-managed -o jsonpath='{.data.ca-bundle\.crt}') \
		-H "Authorization: Bearer $(cat "$SIM_DIR/token")" \
		"https://$(kc get route forklift-inventory -n openshift-mtv -o jsonpath='{.spec.host}')/providers/vsphere/$UID_/vms/$ref"
	assert_output 404
}

@test "sim-vcsim: the connection test logs in to vcsim: right credentials Ready, a wrong password ConnectionAuthFailed" {
	UID_=$(ready_provider_uid)
	if [ -n "$CA_FILE" ]; then
		assert_equal "$(conds vs)" "ConnectionTestSucceeded InventoryCreated Validated Ready "
	else
		assert_equal "$(conds vs)" "ConnectionInsecure ConnectionTestSucceeded InventoryCreated Validated Ready "
	fi
	provider badpass "Wrong-$RANDOM-pw" "${CA_FILE:+$(cat "$CA_FILE")}"
	sim_until bash -c "kubectl get provider badpass -n vct -o jsonpath='{.status.phase}' | grep -qx ConnectionFailed"
	assert_equal "$(conds badpass)" "ConnectionAuthFailed "
	assert_equal "$(cond_message badpass ConnectionAuthFailed)" \
		"Connection auth failed, error: 401 Unauthorized: incorrect user name or password."
	# fixing the Secret re-runs the test
	kc patch secret badpass-secret -n vct --type merge -p "{\"stringData\":{\"password\":\"$VCSIM_PASSWORD\"}}" >/dev/null
	kc wait --for=condition=Ready provider/badpass -n vct --timeout=30s
}

@test "sim-vcsim: with TLS the Secret's CA is verified: a wrong CA is ConnectionTestFailed" {
	[ -n "$CA_FILE" ] || skip "this vcsim has no -tls (vcsim served $VCSIM_URL)"
	local other
	other=$(openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj /CN=not-vcsim -days 1 2>/dev/null)
	provider badca "$VCSIM_PASSWORD" "$other"
	sim_until bash -c "kubectl get provider badca -n vct -o jsonpath='{.status.phase}' | grep -qx ConnectionFailed"
	assert_equal "$(conds badca)" "ConnectionTestFailed "
	assert_equal "$(cond_message badca ConnectionTestFailed)" \
		"failed to create a secure TLS connection: tls: failed to verify certificate: x509: certificate signed by unknown authority"
	# a wrong CA hides a wrong password: the handshake comes first
	provider badboth "nope-$RANDOM" "$other"
	sim_until bash -c "kubectl get provider badboth -n vct -o jsonpath='{.status.phase}' | grep -qx ConnectionFailed"
	assert_equal "$(conds badboth)" "ConnectionTestFailed "
	# insecureSkipVerify skips the CA, not the password
	provider insecure "$VCSIM_PASSWORD" insecure
	kc wait --for=condition=Ready provider/insecure -n vct --timeout=30s
	[[ "$(conds insecure)" == *ConnectionInsecure* ]]
}

@test "sim-vcsim: /sim/stats counts collections and vim25 calls; no password in the sim's logs" {
	run sim_curl /sim/stats
	assert_success
	stats=$output
	run j 'vcsim["vsphere-vcsim"].collections' 'vcsim["vsphere-vcsim"].callsLastCollection' 'vcsim["vsphere-vcsim"].vms' \
		'vcsim["vsphere-vcsim"].failedCollections' <<<"$stats"
	assert_success
	read -r n calls vms failed <<<"$output"
	[ "$n" -ge 2 ] || fail "collections: $n"
	# one view + one read for the objects, one view + two reads for the VM facts
	assert_equal "$calls" 7
	assert_equal "$vms" 8
	assert_equal "$failed" 0
	echo "# $n collections, $calls vim25 calls each, last $(j 'vcsim["vsphere-vcsim"].lastCollectionMs' <<<"$stats") ms" >&3
	[ "$(j 'vcsim["vsphere-vcsim"].connectionTests' <<<"$stats")" -ge 1 ]
	# the world's and the Secrets' passwords never reach the logs
	! grep -rqF sim-vcsim-password "$BATS_FILE_TMPDIR/sim.log" "$SIM_DIR/requests.log"
	! grep -rqF Wrong- "$BATS_FILE_TMPDIR/sim.log" "$SIM_DIR/requests.log"
	! grep -qF sim-vcsim-password "$BATS_FILE_TMPDIR/vcsim.log"
}

@test "sim-vcsim: a cold migration of a vcsim VM through the steps; the destination matches vcsim" {
	[ -n "$CA_FILE" ] || export MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true
	export MTV_PREPARE_VMS=false
	run_steps create-provider storagemap networkmap plan migrate check-vms
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
	ns=$(state_field mtv-session.json targetNamespace)
	ref=$(probe vms mtv-tests-rhel8 | sed -n 's/^vm=mtv-tests-rhel8 ref=\([^ ]*\) .*/\1/p')
	[[ "$ref" =~ ^vm-[0-9]+$ ]]
	# the destination VM is labelled with the vcsim moref and has vcsim's facts
	run kc get virtualmachines -n "$ns" -l "vmID=$ref" -o jsonpath='{.items[0].spec.template.spec.domain.cpu.sockets} {.items[0].spec.template.spec.domain.cpu.cores} {.items[0].spec.template.spec.domain.memory.guest} {.items[0].spec.template.spec.domain.devices.interfaces[0].macAddress}'
	assert_success
	assert_output "1 2 4096Mi 00:50:56:a1:00:01"
	run kc get pvc -n "$ns" -l "vmID=$ref" -o jsonpath='{.items[*].spec.resources.requests.storage}'
	assert_output 20Gi
	run grep -c '<failure' "$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	assert_output 0
}

@test "sim-vcsim: world checks for a vcsim backend; no urlFile to read is exit 3" {
	local w="$BATS_TEST_TMPDIR/w.json" src="$MTV_SRC_DIR/tests/fixtures/worlds/vcsim.json"
	sed 's/"backend": "vcsim"/"backend": "govc"/' "$src" >"$w"
	run --separate-stderr "$MTV_BIN_DIR/mtv-sim" --world "$w" --state-dir "$BATS_TEST_TMPDIR/s1" --port 0
	assert_equal "$status" 2
	[[ "$stderr" == *'providers[0].backend: "govc" is not a backend (only "vcsim")'* ]] || fail "$stderr"
	sed 's/"urlFile": "vcsim.url",//' "$src" >"$w"
	run --separate-stderr "$MTV_BIN_DIR/mtv-sim" --world "$w" --state-dir "$BATS_TEST_TMPDIR/s2" --port 0
	assert_equal "$status" 2
	[[ "$stderr" == *'providers[0].urlFile'* ]] || fail "$stderr"
	sed 's/"type": "vsphere"/"type": "ovirt"/' "$src" >"$w"
	run --separate-stderr "$MTV_BIN_DIR/mtv-sim" --world "$w" --state-dir "$BATS_TEST_TMPDIR/s3" --port 0
	assert_equal "$status" 2
	[[ "$stderr" == *'only vSphere providers have a vcsim backend'* ]] || fail "$stderr"
	# a valid world whose vcsim is not there (no url file): exit 3, no port file
	run --separate-stderr "$MTV_BIN_DIR/mtv-sim" --world "$src" --state-dir "$BATS_TEST_TMPDIR/s4" --port 0
	assert_equal "$status" 3
	[[ "$stderr" == *"provider vsphere-vcsim: vcsim urlFile: $BATS_TEST_TMPDIR/s4/vcsim.url: No such file or directory"* ]] || fail "$stderr"
	[ ! -e "$BATS_TEST_TMPDIR/s4/port" ]
}

@test "sim-vcsim: every tier0 scenario runs green through the steps against vcsim" {
	[ -n "$CA_FILE" ] || export MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true
	export MTV_PREPARE_VMS=false
	local sc s
	for sc in test_sanity_warm_mtv_migration test_mtv_migration_warm_2disks2nics test_cold_migration_comprehensive \
		test_warm_migration_comprehensive test_post_hook_retain_failed_vm; do
		export MTV_SCENARIO=$sc SHARED_DIR="$BATS_TEST_TMPDIR/$sc/shared" ARTIFACT_DIR="$BATS_TEST_TMPDIR/$sc/artifacts"
		mkdir -p "$SHARED_DIR" "$ARTIFACT_DIR"
		for s in create-provider storagemap networkmap plan migrate check-vms; do
			run --separate-stderr "$MTV_BIN_DIR/mtv-$s"
			[ "$status" -eq 0 ] || fail "$sc: mtv-$s exited $status: $stderr"
		done
	done
	# the 2 disks / 2 NICs VM went with both of each, its second NIC on vcsim's portgroup
	export SHARED_DIR="$BATS_TEST_TMPDIR/test_mtv_migration_warm_2disks2nics/shared"
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get virtualmachines -n "$ns" -o jsonpath='{.items[0].spec.template.spec.domain.devices.interfaces[*].macAddress}'
	assert_output "00:50:56:a1:00:02 00:50:56:a1:00:03"
	run kc get pvc -n "$ns" -o jsonpath='{.items[*].spec.resources.requests.storage}'
	assert_equal "$(tr ' ' '\n' <<<"$output" | sort | tr '\n' ' ')" "10Gi 30Gi "
}
