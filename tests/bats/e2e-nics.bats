#!/usr/bin/env bats
# NICs end to end against mtv-sim: every source type's NIC shape reaches the
# NetworkMap and check-vms the way Forklift reads it — vSphere NICs on a
# distributed portgroup (network.id is the portgroup key) and on an NSX
# opaque network (the OpaqueNetworkId), OVA NICs (Network is the name),
# OpenStack VMs (no nics: addresses).
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

setup_file() {
	source "$MTV_SRC_DIR/tests/sim/test-helper.bash"
	sim_start_checked --speed 0
	cat >"$BATS_FILE_TMPDIR/catalog.json" <<'EOF'
{
  "nics_dvpg": { "virtual_machines": [ { "name": "mtv-rhel8-dvpg" } ], "warm_migration": false },
  "nics_nsx": { "virtual_machines": [ { "name": "mtv-rhel8-nsx" } ], "warm_migration": false },
  "nics_ova": { "virtual_machines": [ { "name": "mtv-ova-rhel8" } ], "warm_migration": false },
  "nics_openstack": { "virtual_machines": [ { "name": "mtv-openstack-rhel9" } ], "warm_migration": false }
}
EOF
}

setup() {
	export MTV_TESTS_PARAMS="$BATS_FILE_TMPDIR/catalog.json"
}

# migrate SCENARIO: every step of a cold migration, each exiting 0.
migrate() {
	export MTV_SCENARIO=$1
	run_steps create-provider storagemap networkmap plan migrate check-vms
	assert_equal "$(state_field mtv-migration.json result)" Succeeded
}

# nic_passed VM MAC: check-vms checked that NIC, and nothing failed.
nic_passed() {
	local vm=$1 mac=$2 junit="$ARTIFACT_DIR/junit_mtv_check_vms.xml"
	grep -q "name=\"$vm: nic $mac\"" "$junit" || fail "no check of nic $mac in $(cat "$junit")"
	run grep -c '<failure' "$junit"
	assert_output 0
}

networkmap_sources() {
	local ns
	ns=$(state_field mtv-session.json targetNamespace)
	kc get networkmaps -n "$ns" -o jsonpath='{range .items[0].spec.map[*]}{.source.id}:{.source.name}>{.destination.type} {end}'
}

@test "nics: vSphere NIC on a distributed portgroup (network.id is the portgroup key)" {
	e2e_setup vsphere-8.0.3
	migrate nics_dvpg
	# The inventory says what Forklift's does: the NIC carries the key,
	# the VM's networks[] the portgroup's id.
	uid=$(kc get providers -A -o jsonpath='{.items[?(@.spec.type=="vsphere")].metadata.uid}')
	run sim_curl "/providers/vsphere/${uid%% *}/vms?name=mtv-rhel8-dvpg&detail=4"
	run sim_json '[0].nics[0].network.id' '[0].networks[0].id' <<<"$output"
	assert_output "dvportgroup-8f3e2a1c dvportgroup-1003"
	# Sources named from the VM's networks[] (by id), first to the pod network.
	run networkmap_sources
	assert_output ":mtv-dvpg-vlan200>pod :VM Network>multus "
	nic_passed mtv-rhel8-dvpg 00:50:56:a1:01:05
	nic_passed mtv-rhel8-dvpg 00:50:56:a1:02:05
	ns=$(state_field mtv-session.json targetNamespace)
	run kc get vm mtv-rhel8-dvpg -n "$ns" -o jsonpath='{.spec.template.spec.networks[0].pod}|{.spec.template.spec.networks[1].multus.networkName}'
	assert_output --regexp '^\{\}\|.+/cb-.+-1$'
}

@test "nics: vSphere NIC on an NSX opaque network (network.id is the OpaqueNetworkId)" {
	e2e_setup vsphere-8.0.3
	migrate nics_nsx
	run networkmap_sources
	assert_output ":mtv-nsx-segment>pod "
	nic_passed mtv-rhel8-nsx 00:50:56:a1:01:06
}

@test "nics: OVA cold migration: NICs name their network, the map refers to its ID" {
	e2e_setup ova-nfs
	migrate nics_ova
	run networkmap_sources
	assert_output "ova-net-1:>pod "
	nic_passed mtv-ova-rhel8 00:50:56:b1:00:01
}

@test "nics: OpenStack cold migration: NICs from addresses, map sources by id and name" {
	e2e_setup openstack-17.1
	migrate nics_openstack
	run networkmap_sources
	assert_output "7a0b1c2e-0000-4000-8000-00000000a001:private>pod "
	nic_passed mtv-openstack-rhel9 fa:16:3e:00:00:01
}

@test "nics: OpenStack: a map entry without the network's id maps nothing (the VM fails as Forklift's builder does)" {
	e2e_setup openstack-17.1
	export MTV_SCENARIO=nics_openstack
	run_steps create-provider storagemap networkmap
	ns=$(state_field mtv-session.json targetNamespace)
	map=$(kc get networkmaps -n "$ns" -o name)
	kc patch "$map" -n "$ns" --type=json -p '[{"op":"remove","path":"/spec/map/0/source/id"}]'
	run_steps plan
	run --separate-stderr "$MTV_BIN_DIR/mtv-migrate"
	assert_equal "$status" 1
	run kc get plans -n "$ns" -o jsonpath='{.items[0].status.migration.vms[0].error.reasons[0]}'
	assert_output "no network map for vm network. network=7a0b1c2e-0000-4000-8000-00000000a001"
}

@test "nics: the world's network variants are checked (an opaque network needs its key)" {
	local world="$BATS_TEST_TMPDIR/world.json"
	bats_load_library bats-support
	bats_load_library bats-assert
	sed 's/, "key": "5a7c3e1f-9b2d-4f6a-8c0e-1d2b3a4c5e6f"//' "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" >"$world"
	run -2 "$MTV_BIN_DIR/mtv-sim" --world "$world" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].networks[3].variant: an OpaqueNetwork needs a key (its OpaqueNetworkId)'
	sed 's/"variant": "DvPortGroup"/"variant": "Portgroup"/' "$MTV_SRC_DIR/tests/fixtures/worlds/default.json" >"$world"
	run -2 "$MTV_BIN_DIR/mtv-sim" --world "$world" --state-dir "$BATS_TEST_TMPDIR/st"
	assert_output --partial 'providers[0].networks[2].variant: "Portgroup" is not one of Standard, DvPortGroup, OpaqueNetwork'
	[ ! -e "$BATS_TEST_TMPDIR/st/port" ]
}
