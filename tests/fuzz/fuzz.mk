# make fuzz: libFuzzer targets (tests/fuzz/fuzz_<target>.c) built with clang
# under ASan+UBSan in build/fuzz/, each run FUZZ_SECONDS; a crash input is
# copied to tests/fuzz/regressions/<target>/.  Not part of make check, which
# instead replays every committed input through the same sources linked
# with replay_main.c (tests/bats/fuzz-replay.bats), no clang needed.
#   make fuzz                                  every target, 60 s each
#   make fuzz FUZZ_TARGETS="kubeconfig gotmpl" FUZZ_SECONDS=10

FUZZ_ALL := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
export FUZZ_SECONDS

# ---- replay binaries for make check (the normal toolchain, SANITIZE=1 aware) ----
FUZZ_REPLAY_BINS := $(FUZZ_ALL:%=$(TESTBIN)/fuzz/replay_%)

$(TESTBIN)/fuzz/replay_%: $(OBJ)/tests/fuzz/fuzz_%.o $(OBJ)/tests/fuzz/replay_main.o $(LIBMTV)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_COMMON)

ifneq ($(FUZZ),1)
test-programs: $(FUZZ_REPLAY_BINS)

# clang is not on a fresh Debian and make check does not need it.
fuzz:
	@command -v clang >/dev/null 2>&1 || shared/install-deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 OUT=$(if $(filter .,$(OUT)),build/fuzz,$(OUT)/fuzz) fuzz-run

.PHONY: fuzz
else
# ---- the libFuzzer build (FUZZ=1: clang, build/fuzz/) ----
FUZZERS := $(FUZZ_TARGETS:%=$(OUT)/fuzzers/%)

$(OUT)/fuzzers/%: $(OBJ)/tests/fuzz/fuzz_%.o $(LIBMTV)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_COMMON)

fuzz-run: $(FUZZERS)
	@tests/fuzz/run.sh $(OUT) $(FUZZ_TARGETS)

.PHONY: fuzz-run
endif
