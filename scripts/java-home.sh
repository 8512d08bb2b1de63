#!/usr/bin/env bash
# Sourced by the other scripts: finds a JDK 21+ and exports JAVA_HOME, or explains how to get one.
ferry_find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 \
           /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then export JAVA_HOME="$c"; return 0; fi
  done
  cat >&2 <<'MSG'
ferry: no JDK 21 or newer was found.
  Install one, e.g. `apt-get install openjdk-21-jdk` (Debian 13) or Temurin 21/25
  (https://adoptium.net), then run again, or point JAVA_HOME at it:
  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./test.sh
MSG
  return 1
}
ferry_find_jdk
