#!/usr/bin/env bats
# An invalid pvcNameTemplate: Forklift marks the Plan NotValid ("VM PVC name
# template is invalid.") and names no PVC, so mtv-plan refuses it before
# creating anything, and mtv-sim neither gets the Plan Ready nor invents a
# fallback name (Forklift pkg/controller/plan/adapter/base/template.go,
# ValidatePVCNameTemplate; validation.go, validate).
bats_require_minimum_version 1.5.0

source "$MTV_SRC_DIR/tests/bats/e2e-helper.bash"

# scenario NAME TEMPLATE: a one-VM cold scenario with that pvc_name_template.
scenario() {
	export MTV_TESTS_PARAMS="$BATS_TEST_TMPDIR/params.json" MTV_SCENARIO=$1
	cat >"$MTV_TESTS_PARAMS" <<-JSON
	{"$1": {"virtual_machines": [{"name": "mtv-tests-rhel8", "source_vm_power": "on"}],
	        "warm_migration": false, "pvc_name_template": "$2"}}
	JSON
}

@test "mtv-plan: a template rendering to something that is not a DNS-1123 label exits 2, creates no Plan" {
	scenario test_bad_template '{{.VmName}}_Disk{{.DiskIndex}}'
	run_steps create-provider storagemap networkmap
	run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	assert_equal "$status" 2
	[[ "$stderr" == *"scenario test_bad_template: pvc_name_template"* ]] || fail "no scenario key in: $stderr"
	[[ "$stderr" == *'"mtv-tests-rhel8_Disk0", not a DNS-1123 label'* ]] || fail "no rendered name in: $stderr"
	run kc get plans -n "$(state_field mtv-session.json targetNamespace)" -o name
	assert_output ""
	[ ! -e "$SHARED_DIR/mtv-plan.json" ]
}

@test "mtv-plan: a template that does not render (unknown field) exits 2" {
	scenario test_unknown_field '{{.NoSuchField}}-disk'
	run_steps create-provider storagemap networkmap
	run --separate-stderr "$MTV_BIN_DIR/mtv-plan"
	assert_equal "$status" 2
	[[ "$stderr" == *"pvc_name_template"* ]] || fail "$stderr"
}

@test "mtv-plan: a valid template passes and lands in the Plan" {
	scenario test_good_template '{{.VmName}}-d{{.DiskIndex}}'
	run_steps create-provider storagemap networkmap plan
	run kc get plans -n "$(state_field mtv-session.json targetNamespace)" -o jsonpath='{.items[0].spec.pvcNameTemplate}'
	assert_output '{{.VmName}}-d{{.DiskIndex}}'
}

@test "mtv-sim: a Plan whose template output is no label is NotValid (Critical), never Ready, and its Migration makes no PVC" {
	sim_vsphere_setup tmpl-bad
	sim_plan tmpl-bad p tmpl-bad-target '[{name: mtv-tests-rhel8}]' 'pvcNameTemplate: "{{.VmName}}-Disk-{{.DiskIndex}}"'
	sim_until kubectl wait --for=condition=NotValid plan/p -n tmpl-bad --timeout=1s
	run kubectl get plan p -n tmpl-bad -o jsonpath='{range .status.conditions[?(@.type=="NotValid")]}{.category} {.message} {.items[0]}{end}'
	assert_output --partial 'Critical VM PVC name template is invalid.'
	assert_output --partial "template:{{.VmName}}-Disk-{{.DiskIndex}} error:Template output is invalid k8s label [mtv-tests-rhel8-Disk-0]"
	run kubectl get plan p -n tmpl-bad -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output ""
	sim_migrate tmpl-bad p
	sleep 0.5
	run kubectl get datavolumes,pvc -n tmpl-bad-target -o name
	assert_output ""
}

@test "mtv-sim: a template ending in '-' is invalid too (the label is checked before generateName adds one)" {
	sim_vsphere_setup tmpl-dash
	sim_plan tmpl-dash p tmpl-dash-target '[{name: mtv-tests-rhel8}]' 'pvcNameTemplate: "{{.VmName}}-"'
	sim_until kubectl wait --for=condition=NotValid plan/p -n tmpl-dash --timeout=1s
}

@test "mtv-sim: a valid template gets the Plan Ready" {
	sim_vsphere_setup tmpl-ok
	sim_plan tmpl-ok p tmpl-ok-target '[{name: mtv-tests-rhel8}]' 'pvcNameTemplate: "{{.VmName}}-disk-{{.DiskIndex}}"'
	sim_until kubectl wait --for=condition=Ready plan/p -n tmpl-ok --timeout=1s
	run kubectl get plan p -n tmpl-ok -o jsonpath='{.status.conditions[?(@.type=="NotValid")].status}'
	assert_output ""
}
