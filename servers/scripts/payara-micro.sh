# Payara Micro 7 (fish.payara.extras:payara-micro:jar, Jakarta EE 11), Java 21+. Sourced by server.sh.
# java -jar payara-micro.jar with HTTP on 127.0.0.1:PORT (a pre-boot command binds the listener), phone-home off,
# runtime unpacked into RUNDIR/root, each WAR deployed with --deploy at /CONTEXT. Its data grid (Hazelcast) listens
# on PORT+10 and finds members over TCP-IP (never multicast): by default it is a cluster of one named
# payara-micro-PORT (so that it keeps to this port instead of 6900 and up, which --nocluster would take); with
# PAYARA_MICRO_CLUSTER=NAME and PAYARA_MICRO_MEMBERS=127.0.0.1:P1,127.0.0.1:P2 (a list: Payara does not take port
# ranges here) it joins the cluster NAME with the instances whose data grids listen there. PAYARA_MICRO_OPTS: more
# options.
payara_micro_version="${PAYARA_MICRO_VERSION:-7.2025.1}"
payara_micro_jdk=21

payara_micro_install() {
  local jar; jar="$(fetch "fish.payara.extras:payara-micro:$payara_micro_version:jar")"
  echo "$jar"
}

payara_micro_start() {
  local i
  local -a deploys=() cluster=()
  require_ports_free "$port" $((port + 10))
  mkdir -p "$rundir/apps"
  echo "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1" \
    >"$rundir/preboot.asadmin"
  for i in "${!contexts[@]}"; do
    cp "${wars[$i]}" "$rundir/apps/$(file_name "${contexts[$i]}").war"
    deploys+=(--deploy "$rundir/apps/$(file_name "${contexts[$i]}").war")
  done
  cluster=(--clustername "${PAYARA_MICRO_CLUSTER:-payara-micro-$port}" --interfaces 127.0.0.1
           --clustermode "tcpip:${PAYARA_MICRO_MEMBERS:-127.0.0.1:$((port + 10))}")
  emit log "$rundir/server.log"
  start_bg "$rundir/server.log" "$jdk/bin/java" -Xmx768m ${JAVA_OPTS_EXTRA:-} -Djava.io.tmpdir="$rundir" -jar "$home" \
    --port "$port" --startport $((port + 10)) "${cluster[@]}" --disablephonehome --rootdir "$rundir/root" \
    --prebootcommandfile "$rundir/preboot.asadmin" ${PAYARA_MICRO_OPTS:-} "${deploys[@]}" >/dev/null
  # "ready in" comes once every --deploy has been tried; "NAME was successfully deployed in" for each that worked
  payara_micro_ready() { grep -Eq 'Payara Micro .* ready in' "$rundir/server.log" 2>/dev/null; }
  wait_until "Payara Micro start-up" payara_micro_ready || return 1
  for i in "${!contexts[@]}"; do
    if grep -q "] $(file_name "${contexts[$i]}") was successfully deployed in" "$rundir/server.log"; then
      app_outcome "${contexts[$i]}" deployed
    else
      app_outcome "${contexts[$i]}" failed
    fi
  done
}
