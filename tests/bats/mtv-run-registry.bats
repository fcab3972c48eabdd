#!/usr/bin/env bats
# mtv-run: registry loading and lint (ci-operator's loader rules and
# messages), both layouts, export, and bad input.
bats_require_minimum_version 1.5.0

setup() {
	load ../fixtures/registry/helpers
}

@test "mtv-run lint: the fixture registry passes (OWNERS, *.md, metadata ignored)" {
	run "$MTV_RUN" lint --registry "$REG"
	assert_success
	assert_output --partial "3 reference(s), 2 chain(s), 2 workflow(s): OK"
}

@test "mtv-run lint: unknown fields are errors naming the file" {
	r=$(copy_registry)
	sed -i 's/^  from: src$/  from: src\n  xyz: 1/' "$r/param/show/param-show-ref.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "failed to load registry file $r/param/show/param-show-ref.yaml: error unmarshaling JSON: while decoding JSON: json: unknown field \"xyz\""
}

@test "mtv-run: a malformed registry is exit 2 with the loader's message; nothing runs" {
	r=$(copy_registry)
	printf 'ref:\n  as: [unclosed\n' >"$r/param/show/param-show-ref.yaml"
	run "$MTV_RUN" --registry "$r" --out "$OUTDIR" workflow param
	assert_failure 2
	assert_output --partial "failed to load registry file $r/param/show/param-show-ref.yaml"
	assert_output --partial "nothing was run"
	[ ! -e "$OUTDIR/artifacts" ]
}

@test "mtv-run lint: as must equal the directory prefix" {
	r=$(copy_registry)
	sed -i 's/as: param-show/as: show/' "$r/param/show/param-show-ref.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "name of reference in file $r/param/show/param-show-ref.yaml should be param-show"
}

@test "mtv-run lint: file names must match the component name" {
	r=$(copy_registry)
	mv "$r/param/inner/param-inner-chain.yaml" "$r/param/inner/param-inner-x-chain.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "filename param-inner-x-chain.yaml does not match name of chain; filename should be param-inner-chain.yaml"
}

@test "mtv-run lint: files must carry the prefix; unknown file kinds are invalid" {
	r=$(copy_registry)
	cp "$r/env/probe/env-probe-ref.yaml" "$r/env/probe/other-ref.yaml"
	touch "$r/env/probe/env-probe-notes.txt"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "file $r/env/probe/other-ref.yaml has incorrect prefix. Prefix should be env-probe"
	assert_output --partial "invalid file name: $r/env/probe/env-probe-notes.txt"
}

@test "mtv-run lint: the commands file name and presence are checked" {
	r=$(copy_registry)
	sed -i 's/commands: env-probe-commands.sh/commands: run.sh/' "$r/env/probe/env-probe-ref.yaml"
	rm "$r/param/show/param-show-commands.sh"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "reference env-probe has invalid command file path; command should be set to env-probe-commands (with an optional extension like .sh)"
	assert_output --partial "$r/param/show/param-show-commands.sh: no such file or directory"
}

@test "mtv-run lint: unknown references and chains" {
	r=$(copy_registry)
	sed -i 's/- ref: param-show/- ref: nope/' "$r/param/inner/param-inner-chain.yaml"
	sed -i 's/- chain: param-outer/- chain: gone/' "$r/param/param-workflow.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "Chain param-inner contains non-existent reference nope"
	assert_output --partial "Workflow param contains non-existent chain gone"
}

@test "mtv-run lint: chain cycles are detected" {
	r=$(copy_registry)
	sed -i 's/- ref: param-show/- chain: param-outer/' "$r/param/inner/param-inner-chain.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "Cycle detected: param-inner is an ancestor of itself; traversedPath: [param-inner param-outer param-inner]"
}

@test "mtv-run lint: workflows cannot contain other workflows" {
	r=$(copy_registry)
	sed -i 's/^    test:$/    workflow: flow\n    test:/' "$r/param/param-workflow.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "workflows cannot contain other workflows"
}

@test "mtv-run lint: best_effort needs a timeout; trap needs a grace_period" {
	r=$(copy_registry)
	printf '  best_effort: true\n' >>"$r/env/probe/env-probe-ref.yaml"
	printf 'trap "echo bye" EXIT\n' >>"$r/param/show/param-show-commands.sh"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "test env-probe contains best_effort without timeout"
	assert_output --partial 'test `param-show` has `commands` containing `trap` command, but test step is missing grace_period'
	# with both set, lint passes again
	printf '  timeout: 10m\n' >>"$r/env/probe/env-probe-ref.yaml"
	printf '  grace_period: 30s\n' >>"$r/param/show/param-show-ref.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_success
}

@test "mtv-run lint: parameters set in a chain or workflow but declared by no step" {
	r=$(copy_registry)
	printf '  - name: UNUSED\n    default: x\n' >>"$r/param/inner/param-inner-chain.yaml"
	sed -i 's/^      E: workflow$/      E: workflow\n      WF_UNUSED: y/' "$r/param/param-workflow.yaml"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial 'chain/param-inner: parameter "UNUSED" is overridden in [chain/param-inner] but not declared in any step'
	assert_output --partial 'workflow/param: parameter "WF_UNUSED" is overridden in [workflow/param] but not declared in any step'
}

@test "mtv-run: a malformed test configuration is exit 2 naming the file and line" {
	printf 'tests:\n- as: x\n  steps: [\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	run mtv_run --config "$BATS_TEST_TMPDIR/bad.yaml" --test x
	assert_failure 2
	assert_output --partial "failed to load config file $BATS_TEST_TMPDIR/bad.yaml: $BATS_TEST_TMPDIR/bad.yaml:4:"
	[ ! -e "$OUTDIR/artifacts" ]
	run mtv_run --config "$CONFIG" --test no-such-test
	assert_failure 2
	assert_output --partial "$CONFIG: no test named \"no-such-test\""
	printf 'tests:\n- as: x\n  steps:\n    test:\n    - as: a\n      from: src\n      commands: "true"\n      bogus: 1\n' \
		>"$BATS_TEST_TMPDIR/unknown.yaml"
	run mtv_run --config "$BATS_TEST_TMPDIR/unknown.yaml" --test x
	assert_failure 2
	assert_output --partial 'json: unknown field "bogus"'
}

@test "mtv-run: bad usage is exit 2" {
	run "$MTV_RUN" frobnicate
	assert_failure 2
	run "$MTV_RUN" --env NOVALUE workflow x
	assert_failure 2
	assert_output --partial "--env NOVALUE: expected NAME=VALUE"
	run "$MTV_RUN" --help
	assert_success
	assert_output --partial "usage: mtv-run"
}

@test "mtv-run: this repository's layout (steps/ chains/ workflows/ as mtv-<x>) loads and runs" {
	run "$MTV_RUN" lint --repo "$FIX/repo"
	assert_success
	assert_output --partial "1 reference(s), 1 chain(s), 1 workflow(s): OK"
	run "$MTV_RUN" --repo "$FIX/repo" --out "$OUTDIR" workflow mtv-smoke
	assert_success
	run cat "$(step_dir mtv-smoke mtv-hello)/artifacts/greeting"
	assert_output "hi from mtv-hello"
}

@test "mtv-run: the repository layout's rules apply too" {
	cp -r "$FIX/repo" "$BATS_TEST_TMPDIR/repo"
	sed -i 's/as: mtv-hello/as: hello/' "$BATS_TEST_TMPDIR/repo/steps/hello/mtv-hello-ref.yaml"
	run "$MTV_RUN" lint --repo "$BATS_TEST_TMPDIR/repo"
	assert_failure 1
	assert_output --partial "name of reference in file $BATS_TEST_TMPDIR/repo/steps/hello/mtv-hello-ref.yaml should be mtv-hello"
}

@test "mtv-run export: openshift/release layout that lint --registry accepts" {
	run "$MTV_RUN" --repo "$FIX/repo" export "$BATS_TEST_TMPDIR/export"
	assert_success
	e="$BATS_TEST_TMPDIR/export/mtv"
	[ -f "$e/hello/mtv-hello-ref.yaml" ]
	[ -f "$e/hello/mtv-hello-commands.sh" ]
	[ -f "$e/smoke/mtv-smoke-chain.yaml" ]
	[ -f "$e/smoke/mtv-smoke-workflow.yaml" ]
	[ ! -e "$e/hello/main.c" ]
	run cat "$e/hello/OWNERS"
	assert_line "- mtv-approver"
	run cat "$e/hello/mtv-hello-ref.metadata.json"
	assert_output --partial '"path": "mtv/hello/mtv-hello-ref.yaml"'
	assert_output --partial '"mtv-approver"'
	[ -f "$e/smoke/mtv-smoke-workflow.metadata.json" ]
	run "$MTV_RUN" lint --registry "$BATS_TEST_TMPDIR/export"
	assert_success
	# and the exported registry runs the same workflow
	run "$MTV_RUN" --registry "$BATS_TEST_TMPDIR/export" --out "$OUTDIR" workflow mtv-smoke
	assert_success
	run cat "$(step_dir mtv-smoke mtv-hello)/artifacts/greeting"
	assert_output "hi from mtv-hello"
}

@test "mtv-run export: a broken registry is not exported" {
	cp -r "$FIX/repo" "$BATS_TEST_TMPDIR/repo"
	sed -i 's/- ref: mtv-hello/- ref: mtv-nope/' "$BATS_TEST_TMPDIR/repo/chains/smoke/mtv-smoke-chain.yaml"
	run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" export "$BATS_TEST_TMPDIR/export"
	assert_failure 2
	assert_output --partial "Chain mtv-smoke contains non-existent reference mtv-nope"
	[ ! -e "$BATS_TEST_TMPDIR/export" ]
}

@test "mtv-run export: byte-identical to the golden tree (generate-registry-metadata's format, OWNERS everywhere)" {
	run "$MTV_RUN" --repo "$FIX/repo" export "$BATS_TEST_TMPDIR/export"
	assert_success
	run diff -r "$FIX/export-golden/mtv" "$BATS_TEST_TMPDIR/export/mtv"
	assert_success
	# json.MarshalIndent writes no trailing newline
	[ "$(tail -c 1 "$BATS_TEST_TMPDIR/export/mtv/hello/mtv-hello-ref.metadata.json" | od -An -c | tr -d ' ')" = "}" ]
	[ -f "$BATS_TEST_TMPDIR/export/mtv/OWNERS" ]
}

@test "mtv-run export: Go's HTML escaping and field order, from OWNERS as Go's encoding/json writes them" {
	cp -r "$FIX/repo" "$BATS_TEST_TMPDIR/repo"
	# labels, required_reviewers and an options key the metadata drops
	printf 'options:\n  no_parent_owners: true\nlabels:\n- "x<y>&z"\n- "\u00e9\\u2028"\n- "tab\\tq\\"\\\\"\nrequired_reviewers:\n- r\nreviewers:\n- c\napprovers:\n- a-1\n- b\n' \
		>"$BATS_TEST_TMPDIR/repo/OWNERS"
	run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" export "$BATS_TEST_TMPDIR/export"
	assert_success
	run cmp "$FIX/escaped.metadata.json" "$BATS_TEST_TMPDIR/export/mtv/hello/mtv-hello-ref.metadata.json"
	assert_success
}

@test "mtv-run export: MTV_OWNERS names approvers and reviewers; no owners at all is exit 2" {
	cp -r "$FIX/repo" "$BATS_TEST_TMPDIR/repo"
	MTV_OWNERS="alice, bob" run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" export "$BATS_TEST_TMPDIR/export"
	assert_success
	run cat "$BATS_TEST_TMPDIR/export/mtv/smoke/OWNERS"
	assert_output "$(printf 'approvers:\n- alice\n- bob\nreviewers:\n- alice\n- bob')"
	rm "$BATS_TEST_TMPDIR/repo/OWNERS"
	run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" export "$BATS_TEST_TMPDIR/export2"
	assert_failure 2
	assert_output --partial "set MTV_OWNERS=login,... or add an OWNERS file"
	printf 'approvers:\n- a\nreviewers: []\n' >"$BATS_TEST_TMPDIR/repo/OWNERS"
	run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" export "$BATS_TEST_TMPDIR/export3"
	assert_failure 2
	assert_output --partial "approvers and reviewers must both name someone"
	run "$MTV_RUN" --repo "$BATS_TEST_TMPDIR/repo" lint
	assert_failure 1
	assert_output --partial "approvers and reviewers must both name someone"
}

@test "mtv-run lint: a ref without resources, zero, negative, malformed quantities and unknown keys (ci-tools' wording)" {
	r=$(copy_registry)
	f="$r/param/show/param-show-ref.yaml"
	sed -i '/^  resources:/,/^      cpu: 10m/d' "$f"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "'param-show.resources' should have at least one request or limit"
	sed -i 's/^  from: src$/  from: src\n  resources:\n    requests:\n      cpu: "0"\n      memory: -1Gi\n      gpu: 1\n    limits:\n      ephemeral-storage: 1Gx\n      devices.kubevirt.io\/kvm: "2"/' "$f"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "param-show.resources.requests.cpu: quantity cannot be zero"
	assert_output --partial "param-show.resources.requests.memory: quantity cannot be negative"
	assert_output --partial "'param-show.resources.requests' specifies an invalid key gpu"
	assert_output --partial "param-show.resources.limits.ephemeral-storage: invalid quantity: quantities must match the regular expression"
	assert_output --partial "param-show.resources.limits.devices.kubevirt.io/kvm: must be 1"
	refute_output --partial "should have at least one request or limit"
}

@test "mtv-run lint: OWNERS beside every component and .metadata.json exactly as generate-registry-metadata writes it" {
	r=$(copy_registry)
	rm "$r/param/inner/OWNERS"
	printf '{"path": "param/show/param-show-ref.yaml", "owners": {"approvers": ["mtv-fixture-owner"]}}' \
		>"$r/param/show/param-show-ref.metadata.json"
	rm "$r/flow/flow-workflow.metadata.json"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "missing OWNERS file at $r/param/inner/OWNERS"
	assert_output --partial "$r/param/show/param-show-ref.metadata.json: differs from what generate-registry-metadata writes"
	assert_output --partial "$r/flow/flow-workflow.metadata.json: missing"
}

@test "mtv-run lint: credentials follow ci-tools' rules and wording" {
	r=$(copy_registry)
	f="$r/param/show/param-show-ref.yaml"
	sed -i 's/^  from: src$/  from: src\n  credentials:\n  - namespace: test-credentials\n    name: a\n    mount_path: \/var\/run\/a\n  - namespace: test-credentials\n    name: b\n    mount_path: \/var\/run\/a\/b\n  - name: c\n    mount_path: relative\/c\n  - namespace: test-credentials\n    mount_path: \/var\/run\/a\n  - namespace: test-credentials\n    name: a\n    mount_path: \/var\/run\/e\n  - collection: x\n    name: f\n    mount_path: \/var\/run\/f/' "$f"
	run "$MTV_RUN" lint --registry "$r"
	assert_failure 1
	assert_output --partial "param-show.credentials[1] mounts at /var/run/a/b, which is under credentials[0] (/var/run/a)"
	assert_output --partial "param-show.credentials[2]: \`namespace\` is required"
	assert_output --partial "param-show.credentials[2].mountPath is not absolute: relative/c"
	assert_output --partial "param-show.credentials[3]: \`name\` is required"
	assert_output --partial "param-show.credentials[0] and credentials[3] mount to the same location (/var/run/a), which would result in a collision"
	assert_output --partial "param-show.credentials[0] and credentials[4] reference the same secret (test-credentials/a), which would create a duplicate Kubernetes volume name"
	assert_output --partial "param-show.credentials[5]: \`name\` cannot be used with \`bundle\`, \`collection\`, \`group\`, or \`field\`"
	# /var/run/e is not under /var/run/a, /var/run/ab would not be either
	refute_output --partial "mounts at /var/run/e"
	# and this repository's refs pass
	run "$MTV_RUN" --repo "$MTV_SRC_DIR" lint
	assert_success
}

@test "mtv-run: a test's literal steps need their own resources; shm is capped at 2G (ci-tools' wording)" {
	n=$(grep -c '^- as: ' "$CONFIG")
	run mtv_run resolve --config "$CONFIG" --test literal-rules
	assert_failure 2
	# the test is the last of the file: tests[N-1]
	assert_output --partial "'tests[$((n - 1))].test[0].resources' should have at least one request or limit"
	assert_output --partial "tests[$((n - 1))].test[1].resources.limits.ci-operator.openshift.io/shm: quantity cannot be greater than 2G"
	refute_output --partial "test[2]"
	refute_output --partial "test[1].resources' should have"
	# every other test of the fixture configuration passes these rules
	run mtv_run resolve --config "$CONFIG" --test all-pass
	assert_success
}
