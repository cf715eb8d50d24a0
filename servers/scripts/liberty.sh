# Open Liberty (io.openliberty:openliberty-runtime:zip, all features; 26.0.0.3 has Jakarta EE 10 features, not 11),
# Java 17+. Sourced by server.sh. A fresh server in RUNDIR/usr (WLP_USER_DIR) with the features in LIBERTY_FEATURES
# (default webProfile-10.0), HTTP on 127.0.0.1:PORT (no HTTPS), the local command port PORT+1, and each WAR as a
# <webApplication> at /CONTEXT. `server stop` stops it.
liberty_version="${LIBERTY_VERSION:-26.0.0.3}"
liberty_jdk=17

liberty_install() { install "io.openliberty:openliberty-runtime:$liberty_version:zip" "openliberty-$liberty_version"; }

liberty_start() {
  local i f o
  require_ports_free "$port" $((port + 1))
  export WLP_USER_DIR="$rundir/usr" JAVA_HOME="$jdk"
  "$home/bin/server" create s >"$rundir/create.log" 2>&1 || { cat "$rundir/create.log" >&2; log "server create failed"; return 1; }
  local srv="$WLP_USER_DIR/servers/s"
  mkdir -p "$srv/apps"
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<server description="usage-plans harness">'
    echo '  <featureManager>'
    for f in ${LIBERTY_FEATURES:-webProfile-10.0}; do echo "    <feature>$f</feature>"; done
    echo '  </featureManager>'
    echo "  <httpEndpoint id=\"defaultHttpEndpoint\" host=\"127.0.0.1\" httpPort=\"$port\" httpsPort=\"-1\"/>"
    echo '  <applicationManager autoExpand="true"/>'
    echo '  <applicationMonitor updateTrigger="disabled" dropinsEnabled="false"/>'
    for i in "${!contexts[@]}"; do
      local name; name="$(file_name "${contexts[$i]}")"
      cp "${wars[$i]}" "$srv/apps/$name.war"
      echo "  <webApplication id=\"$name\" name=\"$name\" location=\"$name.war\" contextRoot=\"/${contexts[$i]}\"/>"
    done
    echo '</server>'
  } >"$srv/server.xml"
  echo "command.port=$((port + 1))" >"$srv/bootstrap.properties"
  echo "-Xmx768m" >"$srv/jvm.options"
  for o in ${JAVA_OPTS_EXTRA:-}; do echo "$o" >>"$srv/jvm.options"; done
  cat >"$rundir/stop-hook" <<HOOK
#!/usr/bin/env bash
WLP_USER_DIR="$WLP_USER_DIR" JAVA_HOME="$jdk" "$home/bin/server" stop s
HOOK
  chmod +x "$rundir/stop-hook"
  emit log "$srv/logs/messages.log"
  emit log "$rundir/console.log"
  start_bg "$rundir/console.log" env WLP_USER_DIR="$WLP_USER_DIR" JAVA_HOME="$jdk" "$home/bin/server" run s >/dev/null
  # CWWKZ0001I: application NAME started; CWWKZ0002E/0004E: an exception while starting it; CWWKF0011I: server ready
  liberty_settled() {
    local c
    for c in "${contexts[@]}"; do
      grep -Eq "CWWKZ0001I: .* $(file_name "$c") |CWWKZ000[2-4]E: .* $(file_name "$c")[ .,]" "$srv/logs/messages.log" 2>/dev/null || return 1
    done
    grep -q 'CWWKF0011I' "$srv/logs/messages.log" 2>/dev/null
  }
  wait_until "Liberty start-up" liberty_settled || return 1
  for i in "${!contexts[@]}"; do
    if grep -Eq "CWWKZ0001I: .* $(file_name "${contexts[$i]}") " "$srv/logs/messages.log"; then app_outcome "${contexts[$i]}" deployed
    else app_outcome "${contexts[$i]}" failed; fi
  done
}
