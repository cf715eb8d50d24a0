# Eclipse GlassFish 8 (org.glassfish.main.distributions:glassfish:zip) and Payara Server 7 Community
# (fish.payara.distributions:payara:zip), both Jakarta EE 11 on Java 21+. Sourced by server.sh.
# A fresh domain in RUNDIR/domains with --portbase PORT-80: HTTP = PORT, HTTPS = PORT+1, admin = PORT-32,
# IIOP = PORT-43..-41, JMX = PORT+6, JMS = PORT-4; every listener bound to 127.0.0.1. Payara's data grid
# (Hazelcast) is bound to 127.0.0.1 with domain discovery, its ports moved to PORT-30 (DAS) and PORT-20 and up
# (members), and phone-home is off. Then `asadmin deploy` per WAR (synchronous: its exit code is the outcome).
glassfish_version="${GLASSFISH_VERSION:-8.0.0}"
glassfish_jdk=21
payara_version="${PAYARA_VERSION:-7.2025.1}"
payara_jdk=21

glassfish_install() { install "org.glassfish.main.distributions:glassfish:$glassfish_version:zip" "glassfish-$glassfish_version"; }
payara_install() { install "fish.payara.distributions:payara:$payara_version:zip" "payara-$payara_version"; }
glassfish_start() { asadmin_start glassfish; }
payara_start() { asadmin_start payara; }

asadmin_start() {
  local flavour="$1" i
  [ "$port" -gt 1100 ] || { log "PORT must be over 1100 (the port base is PORT-80)"; return 1; }
  local portbase=$((port - 80)) admin=$((port - 32))
  require_ports_free "$port" $((port + 1)) "$admin"
  export AS_JAVA="$jdk"
  local asadmin="$home/bin/asadmin" domains="$rundir/domains"
  "$asadmin" create-domain --domaindir "$domains" --portbase "$portbase" --nopassword=true --checkports=true d \
      >"$rundir/create-domain.log" 2>&1 || { cat "$rundir/create-domain.log" >&2; log "create-domain failed"; return 1; }
  local xml="$domains/d/config/domain.xml"
  sed -i -e 's/address="0\.0\.0\.0"/address="127.0.0.1"/g' \
         -e 's/<network-listener port=/<network-listener address="127.0.0.1" port=/g' \
         -e "s/\\(name=\"JMS_PROVIDER_PORT\"[^>]*value=\"\\)[0-9]*\"/\\1$((port - 4))\"/" "$xml"
  if [ "$flavour" = payara ]; then
    sed -i -e "s/<hazelcast-runtime-configuration [^>]*>/<hazelcast-runtime-configuration das-bind-address=\"127.0.0.1\" interface=\"127.0.0.1\" das-port=\"$((port - 30))\" start-port=\"$((port - 20))\" auto-increment-port=\"true\">/" \
           -e "s/config-specific-data-grid-start-port=\"[^\"]*\"/config-specific-data-grid-start-port=\"$((port - 20))\"/" \
           -e "s/\\(name=\"HZ_LISTENER_PORT\"[^>]*value=\"\\)[0-9]*\"/\\1$((port - 20))\"/" \
           -e '0,/<\/hazelcast-config-specific-configuration>/s||</hazelcast-config-specific-configuration>\n      <phone-home-runtime-configuration enabled="false"></phone-home-runtime-configuration>|' "$xml"
  fi
  local o
  for o in ${JAVA_OPTS_EXTRA:-}; do sed -i "0,/<jvm-options>/s||<jvm-options>${o//\//\\/}</jvm-options>\n        <jvm-options>|" "$xml"; done
  cat >"$rundir/stop-hook" <<HOOK
#!/usr/bin/env bash
AS_JAVA="$jdk" "$asadmin" stop-domain --domaindir "$domains" d
HOOK
  chmod +x "$rundir/stop-hook"
  emit log "$domains/d/logs/server.log"
  "$asadmin" start-domain --domaindir "$domains" d >"$rundir/start-domain.log" 2>&1 \
    || { cat "$rundir/start-domain.log" >&2; log "start-domain failed"; return 1; }
  cp "$domains/d/config/pid" "$rundir/pid"
  for i in "${!contexts[@]}"; do
    local ctx="${contexts[$i]}"
    if timeout "$STARTUP_TIMEOUT" "$asadmin" --host 127.0.0.1 --port "$admin" deploy --contextroot "/$ctx" \
        --name "$(file_name "$ctx")" "${wars[$i]}" >"$rundir/deploy-$(file_name "$ctx").log" 2>&1; then
      app_outcome "$ctx" deployed
    else
      sed 's/^/  asadmin: /' "$rundir/deploy-$(file_name "$ctx").log" | head -5 >&2
      app_outcome "$ctx" failed
    fi
  done
  alive || { log "the domain stopped"; return 1; }
}
