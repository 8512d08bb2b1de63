#!/usr/bin/env bash
# The run command: installs what Ferry needs, builds it, and runs `ferry quickstart`:
# a vault with its embedded database and agents for two sites on this machine, a demo VM
# that keeps writing protected from the primary site to the recovery site, its RPO shown.
# `./quickstart.sh --keep-running` leaves it all up for the `ferry` commands.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
. scripts/java-home.sh
echo "ferry: building (JAVA_HOME=$JAVA_HOME)"
./mvnw -B -ntp -q -DskipTests package
exec bin/ferry quickstart "$@"
