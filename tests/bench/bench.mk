# make bench: speed, API cost and scale of the steps against mtv-sim and
# against kubectl and curl (tests/bench/README.md).  Included from the
# Makefile; prints a table and writes bench/results.json and results.md.
#   make bench                      the full run (about 2.5 minutes on 2 cores)
#   make bench BENCH_ARGS=--smoke   one run of everything, N up to 10
BENCH_OUT ?= bench
BENCH_ARGS ?=

bench: programs $(TESTBIN)/progs/bench_probe $(TESTBIN)/progs/tls_floor $(TESTBIN)/progs/report_render
	MTV_BIN_DIR=$(abspath $(BIN)) MTV_TEST_BIN_DIR=$(abspath $(TESTBIN)) MTV_SRC_DIR=$(CURDIR) \
		tests/bench/run.sh --out $(BENCH_OUT) $(BENCH_ARGS)

.PHONY: bench
