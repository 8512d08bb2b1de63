#!/usr/bin/env bash
# The run command: installs what Ferry needs, builds it, and runs the demo:
# a lab VM writing records is captured (full, then incrementals while it writes),
# a point is restored and verified, and a VM boots from an NBD export of a point.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
. scripts/java-home.sh
echo "ferry: building (JAVA_HOME=$JAVA_HOME)"
./mvnw -B -ntp -q -DskipTests package
exec bin/ferry demo "$@"
