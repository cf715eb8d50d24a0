# WildFly 39 (org.wildfly:wildfly-dist:tar.gz, Jakarta EE 11), Java 17+. Sourced by server.sh.
# standalone.xml (not an -ha configuration: JGroups would send UDP multicast) with jboss.server.base.dir =
# RUNDIR/base, bound to 127.0.0.1: HTTP = PORT, HTTPS = PORT+1, management HTTP = PORT+2, HTTPS = PORT+3.
# The WARs are dropped into deployments/ before start; the scanner writes CONTEXT.war.deployed or .failed.
# Hardened as the README's Servers section tells production to be: Undertow's error pages show no stack trace, also
# to requests from this machine (servlet-container stack-trace-on-error="none"; the default is local-only).
# With WILDFLY_CLUSTER=NAME and WILDFLY_MEMBERS=host[port],host[port] (JGroups TCP ports, this instance's is
# WILDFLY_JGROUPS_PORT): standalone-ha.xml instead, its channel on the tcp stack with cluster NAME, TCPPING on that
# static list in place of MPING (multicast), the tcp transport on WILDFLY_JGROUPS_PORT, mod_cluster's multicast
# advertising off and AJP on PORT+4: two instances on one machine, no multicast.
wildfly_version="${WILDFLY_VERSION:-39.0.1.Final}"
wildfly_jdk=17
# WILDFLY_CONFIG=standalone-microprofile.xml adds MicroProfile Health and OpenAPI (standalone.xml has MP Config only)
wildfly_config="${WILDFLY_CONFIG:-standalone.xml}"

wildfly_install() { install "org.wildfly:wildfly-dist:$wildfly_version:tar.gz" "wildfly-$wildfly_version"; }

wildfly_start() {
  local base="$rundir/base" i config="$wildfly_config"
  require_ports_free "$port" $((port + 1)) $((port + 2)) $((port + 3))
  mkdir -p "$base/log"
  cp -r "$home/standalone/configuration" "$home/standalone/deployments" "$base/"
  if [ -n "${WILDFLY_CLUSTER:-}" ]; then
    config=standalone-ha.xml
    require_ports_free $((port + 4)) "$WILDFLY_JGROUPS_PORT"
    local ha="$base/configuration/$config"
    sed -i -e "s|<channel name=\"ee\" stack=\"udp\" cluster=\"ejb\"/>|<channel name=\"ee\" stack=\"tcp\" cluster=\"$WILDFLY_CLUSTER\"/>|" \
      -e "s|<socket-protocol type=\"MPING\" socket-binding=\"jgroups-mping\"/>|<protocol type=\"TCPPING\"><property name=\"initial_hosts\">$WILDFLY_MEMBERS</property><property name=\"port_range\">0</property></protocol>|" \
      -e "s|<socket-binding name=\"jgroups-tcp\" interface=\"private\" port=\"7600\"/>|<socket-binding name=\"jgroups-tcp\" interface=\"private\" port=\"$WILDFLY_JGROUPS_PORT\"/>|" \
      -e 's|advertise-socket="modcluster"|advertise="false"|' "$ha"
    grep -q "stack=\"tcp\" cluster=\"$WILDFLY_CLUSTER\"" "$ha" && grep -q TCPPING "$ha" && ! grep -q 'type="MPING"' "$ha" \
      && grep -q "port=\"$WILDFLY_JGROUPS_PORT\"" "$ha" && grep -q 'advertise="false"' "$ha" \
      || { log "could not set up JGroups TCP with a static member list in $config"; return 1; }
  fi
  sed -i 's|<servlet-container name="default">|<servlet-container name="default" stack-trace-on-error="none">|' \
    "$base/configuration/$config"
  grep -q 'stack-trace-on-error="none"' "$base/configuration/$config" \
    || { log "could not set stack-trace-on-error in $config"; return 1; }
  for i in "${!contexts[@]}"; do cp "${wars[$i]}" "$base/deployments/$(file_name "${contexts[$i]}").war"; done
  emit log "$base/log/server.log"
  emit log "$rundir/console.log"
  start_bg "$rundir/console.log" env JAVA_HOME="$jdk" JBOSS_HOME="$home" LAUNCH_JBOSS_IN_BACKGROUND=1 \
    JAVA_OPTS="-Xms64m -Xmx1g -Djava.net.preferIPv4Stack=true ${JAVA_OPTS_EXTRA:-}" \
    "$home/bin/standalone.sh" -c "$config" -Djboss.server.base.dir="$base" -b 127.0.0.1 -bmanagement 127.0.0.1 \
    -Djboss.ajp.port=$((port + 4)) -Djboss.bind.address.private=127.0.0.1 \
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
