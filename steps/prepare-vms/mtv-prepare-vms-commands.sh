#!/bin/bash
# ci-operator runs this with `set -eu`; every parameter arrives as an
# MTV_* environment variable, SHARED_DIR and ARTIFACT_DIR are set.
exec mtv-prepare-vms
