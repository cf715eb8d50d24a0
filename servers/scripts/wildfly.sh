# WildFly 39 (org.wildfly:wildfly-dist:tar.gz, Jakarta EE 11), Java 17+. Sourced by server.sh.
# standalone.xml (not an -ha configuration: JGroups would send UDP multicast) with jboss.server.base.dir =
# RUNDIR/base, bound to 127.0.0.1: HTTP = PORT, HTTPS = PORT+1, management HTTP = PORT+2, HTTPS = PORT+3.
# The WARs are dropped into deployments/ before start; the scanner writes CONTEXT.war.deployed or .failed.
# Hardened as the README's Servers section tells production to be: Undertow's error pages show no stack trace, also
# to requests from this machine (servlet-container stack-trace-on-error="none"; the default is local-only).
wildfly_version="${WILDFLY_VERSION:-39.0.1.Final}"
wildfly_jdk=17
# WILDFLY_CONFIG=standalone-microprofile.xml adds MicroProfile Health and OpenAPI (standalone.xml has MP Config only)
wildfly_config="${WILDFLY_CONFIG:-standalone.xml}"

wildfly_install() { install "org.wildfly:wildfly-dist:$wildfly_version:tar.gz" "wildfly-$wildfly_version"; }

wildfly_start() {
  local base="$rundir/base" i
  require_ports_free "$port" $((port + 1)) $((port + 2)) $((port + 3))
  mkdir -p "$base/log"
  cp -r "$home/standalone/configuration" "$home/standalone/deployments" "$base/"
  sed -i 's|<servlet-container name="default">|<servlet-container name="default" stack-trace-on-error="none">|' \
    "$base/configuration/$wildfly_config"
  grep -q 'stack-trace-on-error="none"' "$base/configuration/$wildfly_config" \
    || { log "could not set stack-trace-on-error in standalone.xml"; return 1; }
  for i in "${!contexts[@]}"; do cp "${wars[$i]}" "$base/deployments/$(file_name "${contexts[$i]}").war"; done
  emit log "$base/log/server.log"
  emit log "$rundir/console.log"
  start_bg "$rundir/console.log" env JAVA_HOME="$jdk" JBOSS_HOME="$home" LAUNCH_JBOSS_IN_BACKGROUND=1 \
    JAVA_OPTS="-Xms64m -Xmx1g -Djava.net.preferIPv4Stack=true ${JAVA_OPTS_EXTRA:-}" \
    "$home/bin/standalone.sh" -c "$wildfly_config" -Djboss.server.base.dir="$base" -b 127.0.0.1 -bmanagement 127.0.0.1 \
    -Djboss.http.port="$port" -Djboss.https.port=$((port + 1)) -Djboss.management.http.port=$((port + 2)) \
    -Djboss.management.https.port=$((port + 3)) >/dev/null
  wildfly_settled() {
    local c n
    for c in "${contexts[@]}"; do
      n="$base/deployments/$(file_name "$c").war"
      [ -e "$n.deployed" ] || [ -e "$n.failed" ] || return 1
    done
    # WFLYSRV0025: started; WFLYSRV0026: started with errors (a failed deployment)
    grep -Eq 'WFLYSRV002[56]' "$base/log/server.log" 2>/dev/null
  }
  wait_until "WildFly start-up" wildfly_settled || return 1
  for i in "${!contexts[@]}"; do
    if [ -e "$base/deployments/$(file_name "${contexts[$i]}").war.deployed" ]; then app_outcome "${contexts[$i]}" deployed
    else app_outcome "${contexts[$i]}" failed; fi
  done
}
