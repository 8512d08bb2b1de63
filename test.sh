#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, libvirt daemons,
# Maven through the wrapper), then builds Ferry and runs every test, including the
# ones that boot real VMs under QEMU/TCG.
#   ./test.sh                 all tests
#   ./test.sh -pl nbd         extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
. scripts/java-home.sh
echo "ferry: JAVA_HOME=$JAVA_HOME"
MVN_ARGS=(-B -ntp)
if [ "${CI:-}" = "true" ]; then MVN_ARGS+=(-Dstyle.color=never); fi
exec ./mvnw "${MVN_ARGS[@]}" verify "$@"
