# Eclipse Jetty 12.1 (org.eclipse.jetty:jetty-home:tar.gz), Java 17+. Sourced by server.sh.
# jetty.base = RUNDIR/base with the modules server, http, EE-deploy, EE-annotations and EE-cdi-decorate (so that a
# WAR's own Weld can inject into its filters and servlets); JETTY_EE=ee10 for Servlet 6.0, default ee11 (6.1).
# Only PORT is opened. The WAR brings Weld and Jersey. Hardened as the README's Servers section tells production to
# be: no server version in the Server header or on error pages (jetty.httpConfig.sendServerVersion=false).
jetty_version="${JETTY_VERSION:-12.1.12}"
jetty_jdk=17

jetty_install() { install "org.eclipse.jetty:jetty-home:$jetty_version:tar.gz" "jetty-home-$jetty_version"; }

jetty_start() {
  local base="$rundir/base" ee="${JETTY_EE:-ee11}" i
  require_ports_free "$port"
  mkdir -p "$base/webapps" "$base/work" # work/: where Jetty unpacks the WARs
  "$jdk/bin/java" -jar "$home/start.jar" jetty.home="$home" jetty.base="$base" \
      --add-modules="server,http,$ee-deploy,$ee-annotations,$ee-cdi-decorate" >"$rundir/setup.log" 2>&1 \
    || { cat "$rundir/setup.log" >&2; log "could not set up jetty.base"; return 1; }
  for i in "${!contexts[@]}"; do cp "${wars[$i]}" "$base/webapps/$(file_name "${contexts[$i]}").war"; done
  emit log "$rundir/server.log"
  start_bg "$rundir/server.log" "$jdk/bin/java" -Xmx768m ${JAVA_OPTS_EXTRA:-} -jar "$home/start.jar" \
    jetty.home="$home" jetty.base="$base" jetty.http.host=127.0.0.1 jetty.http.port="$port" \
    jetty.httpConfig.sendServerVersion=false >/dev/null
  # the deployer starts every web application before the server reports it started; a failed one is logged
  # as "Failed startup of context ...{/CONTEXT,...}" and the server goes on
  jetty_started() { grep -q 'Started oejs\.Server' "$rundir/server.log" 2>/dev/null; }
  wait_until "Jetty start-up" jetty_started || return 1
  for i in "${!contexts[@]}"; do
    local ctx="${contexts[$i]}"
    if grep -Eq "Failed startup of context .*\{[^,]*,/$ctx," "$rundir/server.log"; then app_outcome "$ctx" failed
    elif grep -Eq "Started .*WebAppContext@[0-9a-f]+\{[^,]*,/$ctx," "$rundir/server.log"; then app_outcome "$ctx" deployed
    else app_outcome "$ctx" failed; fi
  done
}
