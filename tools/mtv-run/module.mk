# tools/mtv-run: the local runner with ci-operator semantics.
PROGRAMS += mtv-run
mtv-run_SRCS := $(wildcard tools/mtv-run/*.c)
mtv-run_LDLIBS :=

# make run WORKFLOW=name [ENV="K=V ..."] [RUN_OUT=dir]: run a workflow of this
# repository with the freshly built step binaries first on PATH.
RUN_OUT ?= .mtv/run
REGISTRY_OUT ?= $(if $(filter .,$(OUT)),build,$(OUT))/registry

run: programs
	@test -n "$(WORKFLOW)" || { echo 'usage: make run WORKFLOW=name [ENV="K=V ..."]' >&2; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/mtv-run --repo . --out $(RUN_OUT) \
		$(foreach e,$(ENV),--env $(e)) workflow $(WORKFLOW)

# make lint: the step registry (steps/, chains/, workflows/) by ci-operator's rules.
lint: $(BIN)/mtv-run
	$(BIN)/mtv-run --repo . lint

# make registry: export it in openshift/release layout, then lint the export.
registry: $(BIN)/mtv-run
	rm -rf $(REGISTRY_OUT)
	$(BIN)/mtv-run --repo . export $(REGISTRY_OUT)
	$(BIN)/mtv-run lint --registry $(REGISTRY_OUT)

.PHONY: run lint registry
