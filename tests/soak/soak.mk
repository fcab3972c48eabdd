# make soak: the workflows N times against a faulty mtv-sim, then SIGTERM at
# random points of every step (tests/soak/README.md).  Not part of make
# check, which runs a smoke of both (tests/bats/soak.bats).
soak: programs
	@command -v strace >/dev/null 2>&1 || shared/install-deps.sh
	tests/soak/soak.sh; s=$$?; tests/soak/interrupt.sh; i=$$?; [ $$s -eq 0 ] && [ $$i -eq 0 ]
.PHONY: soak
