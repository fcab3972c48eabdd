# mtv-steps — build, test, run.
#
#   make                 build/libmtv.a and every binary into bin/
#   make check           build, then run every unit and bats test
#   make check SANITIZE=1  the same under ASan+UBSan (built in build/san/)
#   make valgrind        the unit tests and one cold workflow's steps under valgrind
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (tests/fuzz/README.md)
#   make product         only the step binaries and mtv-run (no mtv-sim, no test deps)
#   make install PREFIX=/usr/local     the step binaries and mtv-run
#   make image           the container image (Containerfile) with podman or docker
#   make install-sim PREFIX=/usr/local mtv-sim, the test double, on its own
#   make clean
#
# Programs register themselves: every steps/<s>/ with a ref becomes bin/mtv-<s>
# (one program per directory: its .c files, one of which holds main);
# other programs (tools/*, tests/sim) add a module.mk that appends to PROGRAMS.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
SHELL := /bin/bash

PREFIX ?= /usr/local
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif

# Sanitized objects must never mix with plain ones, so they get their own tree.
# FUZZ=1 is make fuzz's own build (tests/fuzz/fuzz.mk): clang, every object
# instrumented for libFuzzer's coverage under ASan+UBSan, in build/fuzz/.
ifeq ($(FUZZ),1)
OUT ?= build/fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
OPT ?= -O1
else ifeq ($(SANITIZE),1)
OUT ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1
else
OUT ?= .
SAN_FLAGS :=
OPT ?= -O2
endif

BIN := $(OUT)/bin
OBJ := $(if $(filter .,$(OUT)),build/obj,$(OUT)/obj)
# Everything generated stays under build/ (or OUT), never beside the sources.
LIBMTV := $(if $(filter .,$(OUT)),build,$(OUT))/libmtv.a
TESTBIN := $(if $(filter .,$(OUT)),build/tests,$(OUT)/tests)

CFLAGS ?= -g $(OPT)
# libxml2 (lib/vsphere's SOAP) keeps its headers in a subdirectory.
XML2_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wno-format-nonliteral $(SAN_FLAGS) -Ilib $(XML2_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
LDLIBS_COMMON := -lcurl -lcjson -lyaml -lxml2 -lssh2 -lwebsockets -lssl -lcrypto -lpcre2-8 -lm

# DEPS=product checks only what the product itself builds with (the
# Containerfile's build stage); the default checks what the tests need too.
DEPS ?= all
DEPS_STAMP := $(OBJ)/.deps-ok-$(DEPS)

all: programs

# ---- dependencies: install Debian packages only when something is missing ----
$(DEPS_STAMP):
	@mkdir -p $(@D)
	@shared/check-deps.sh $(DEPS) || shared/install-deps.sh
	@shared/check-deps.sh $(DEPS)
	@touch $@

# ---- libmtv.a ----
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)

# The scenario catalog is assembled into the library (.incbin).
$(OBJ)/lib/catalog.o: shared/tests_params.json

$(LIBMTV): $(LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(OBJ)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# ---- programs ----
# PROGRAMS lists binary names; <name>_SRCS their sources; <name>_LDLIBS extra libs.
PROGRAMS :=
STEP_DIRS := $(patsubst steps/%/,%,$(dir $(wildcard steps/*/mtv-*-ref.yaml)))
define STEP_template
PROGRAMS += mtv-$(1)
mtv-$(1)_SRCS := $$(wildcard steps/$(1)/*.c)
endef
$(foreach s,$(STEP_DIRS),$(eval $(call STEP_template,$(s))))

include $(wildcard tools/*/module.mk tests/sim/module.mk)

define PROGRAM_template
$(BIN)/$(1): $$($(1)_SRCS:%.c=$(OBJ)/%.o) $(LIBMTV)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$($(1)_LDLIBS) $$(LDLIBS_COMMON)
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_template,$(p))))

programs: $(LIBMTV) $(PROGRAMS:%=$(BIN)/%)

# The product is the steps and their runner; the simulator is a test double
# and goes on a machine only when asked for.
PRODUCT_PROGRAMS := $(filter-out mtv-sim,$(PROGRAMS))
product: $(PRODUCT_PROGRAMS:%=$(BIN)/%)

# ---- tests ----
# tests/unit/test_*.c: cmocka unit tests, one binary each.
# tests/progs/*.c: small programs bats tests drive lib through.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(TESTBIN)/unit/%)
PROG_SRCS := $(wildcard tests/progs/*.c)
PROG_BINS := $(PROG_SRCS:tests/progs/%.c=$(TESTBIN)/progs/%)

$(TESTBIN)/unit/%: $(OBJ)/tests/unit/%.o $(LIBMTV)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS_COMMON)

# The builders' tests validate what they build with mtv-sim's CRD validator.
$(TESTBIN)/unit/test_maps $(TESTBIN)/unit/test_plan_objects: $(OBJ)/tests/sim/crd.o

$(TESTBIN)/progs/%: $(OBJ)/tests/progs/%.o $(LIBMTV)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lmicrohttpd $(LDLIBS_COMMON)

# The bench's cost floor links exactly what a step links (no libmicrohttpd,
# no GnuTLS), so the dynamic loader costs the same as in a step.
$(TESTBIN)/progs/tls_floor: $(OBJ)/tests/progs/tls_floor.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_COMMON)

# vcsim, VMware's vim25 simulator, for the lib/vsphere tests: our own small
# main over govmomi's simulator package (Debian golang-github-vmware-govmomi-dev),
# built offline from the packaged sources; the Go build cache sits beside it
# so rebuilds are quick.  When Go or govmomi cannot be installed the rule
# writes the reason into vcsim.unavailable and the vcsim tests skip with it.
VCSIM := $(if $(filter .,$(OUT)),build,$(OUT))/vcsim/vcsim
GOVMOMI_SIM := /usr/share/gocode/src/github.com/vmware/govmomi/simulator
$(VCSIM): $(wildcard tests/vcsim/*.go)
	@mkdir -p $(@D)
	@rm -f $@.unavailable
	@if ! command -v go >/dev/null 2>&1 || [ ! -d $(GOVMOMI_SIM) ]; then \
		shared/install-deps.sh >$(@D)/install-deps.log 2>&1 || true; fi
	@if command -v go >/dev/null 2>&1 && [ -d $(GOVMOMI_SIM) ]; then \
		echo "go build -o $@ ./tests/vcsim"; \
		GOCACHE=$(abspath $(@D))/go-cache GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
			go build -o $@ ./tests/vcsim; \
	else \
		echo "go or govmomi's simulator ($(GOVMOMI_SIM)) could not be installed (see $(@D)/install-deps.log)" >$@.unavailable; \
		echo "vcsim: not built: $$(cat $@.unavailable)" >&2; \
	fi
export MTV_VCSIM := $(abspath $(VCSIM))

test-programs: programs $(UNIT_BINS) $(PROG_BINS) $(VCSIM)

# Absolute paths so tests may cd anywhere.  TESTS narrows the run:
#   make check TESTS="tests/bats/kube.bats"
export MTV_BIN_DIR := $(abspath $(BIN))
export MTV_TEST_BIN_DIR := $(abspath $(TESTBIN))
export MTV_SRC_DIR := $(CURDIR)
export MTV_SHARED_REF ?= $(abspath ../shared)

check: test-programs
	@tests/run-tests.sh $(TESTS)

# make bench: speed, API cost and scale against mtv-sim (tests/bench/README.md)
include tests/bench/bench.mk

# make fuzz: libFuzzer targets, and their replay in make check (tests/fuzz/README.md)
include tests/fuzz/fuzz.mk

# make soak: faults, repetition and interrupts (tests/soak/README.md)
include tests/soak/soak.mk

# ---- install / image / clean ----
install: product
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mtv-steps
	install -m 0755 $(PRODUCT_PROGRAMS:%=$(BIN)/%) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(wildcard shared/*.json) $(DESTDIR)$(PREFIX)/share/mtv-steps/

install-sim: $(BIN)/mtv-sim
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/mtv-sim $(DESTDIR)$(PREFIX)/bin/

# The image ci-operator's `from: mtv-steps` names (Containerfile).  No engine
# here is not an error of the build: say so and stop.
IMAGE ?= mtv-steps
image:
	@engine=$$(command -v podman || command -v docker || true); \
	if [ -z "$$engine" ]; then \
		echo "make image: neither podman nor docker is installed; nothing built" >&2; exit 1; fi; \
	if ! "$$engine" info >/dev/null 2>&1; then \
		echo "make image: $$engine cannot reach a container engine; nothing built" >&2; exit 1; fi; \
	echo "$$engine build -f Containerfile -t $(IMAGE) ."; \
	"$$engine" build -f Containerfile -t $(IMAGE) .

clean:
	rm -rf build bin

.PHONY: all programs product test-programs check install install-sim image clean vcsim
vcsim: $(VCSIM)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# ---- valgrind over the unit tests and the step binaries: any leak or memory error fails ----
# The steps run in one cold workflow against mtv-sim (tests/valgrind/e2e.sh).
valgrind: $(UNIT_BINS) programs $(TESTBIN)/progs/ssh-run
	@command -v valgrind >/dev/null 2>&1 || shared/install-deps.sh valgrind
	@set -e; for t in $(UNIT_BINS); do \
		echo "# valgrind $$t"; \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 --trace-children=no $$t >/dev/null; \
	done; echo "valgrind: no leaks or errors in $(words $(UNIT_BINS)) unit test binaries"
	@tests/valgrind/e2e.sh
	@tests/valgrind/ssh.sh

.PHONY: valgrind

# ---- demo: a cold migration against mtv-sim, through mtv-run ----
DEMO_OUT ?= .mtv/demo
demo: programs $(VCSIM)
	tools/demo.sh $(BIN) $(DEMO_OUT)

.PHONY: demo

# ---- docs: steps/<step>/README.md from each ref and --help ----
docs: programs
	tools/gen-step-docs.sh $(BIN)

.PHONY: docs
