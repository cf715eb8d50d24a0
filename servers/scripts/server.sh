#!/usr/bin/env bash
# The project's own harness for real Jakarta servers: download (through Maven, cached), start headless on
# 127.0.0.1, deploy WARs, report each WAR's outcome, stop. Used by the tests of this module; usable by hand.
#
#   server.sh list                                      the servers it knows
#   server.sh install SERVER                            download and unpack only; prints the install directory
#   server.sh start SERVER PORT RUNDIR CONTEXT=WAR...   start SERVER with the WARs at /CONTEXT (empty or ROOT: /)
#   server.sh stop RUNDIR                               stop what `start` left in RUNDIR
#
# `start` makes RUNDIR afresh (instance directory, logs, pid), waits until every WAR has deployed or failed,
# and prints key=value lines: server, version, jdk, url, pid, seconds (launch until every WAR has an outcome),
# log (one or more files or directories), app.CONTEXT=deployed|failed. A WAR that fails does not stop the
# server. It exits non-zero, after stopping the server, if the server itself fails or the time runs out.
#
# Environment: JAVA_OPTS_EXTRA (JVM options for the server), STARTUP_TIMEOUT, SERVER_JAVA_HOME, SERVERS_JDKS,
# SERVERS_CACHE, MVN (see lib.sh), <SERVER>_VERSION (e.g. TOMCAT_VERSION), PAYARA_MICRO_OPTS.
# Ports used besides PORT: see each server's script.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

SERVERS=(tomcat jetty wildfly glassfish payara payara-micro liberty)
for s in tomcat jetty wildfly asadmin payara-micro liberty; do source "$here/$s.sh"; done

known() { local s; for s in "${SERVERS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
fn() { echo "${1//-/_}_$2"; }

stop_rundir() {
  local dir="$1"
  [ -f "$dir/pid" ] || { log "nothing running from $dir"; return 0; }
  local pid; pid="$(cat "$dir/pid")"
  if [ -x "$dir/stop-hook" ] && kill -0 "$pid" 2>/dev/null; then
    timeout 120 "$dir/stop-hook" >"$dir/stop.log" 2>&1 || log "the server's own stop command failed (see $dir/stop.log); signalling it"
  fi
  # the recorded process leads a process group of its own (start_bg), except a domain's JVM (asadmin)
  running() { kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; }
  if running; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(date +%s) + 30 ))
    while running && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.25; done
    if running; then
      log "process $pid did not stop within 30 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/pid"
  log "stopped ($dir)"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  list) printf '%s\n' "${SERVERS[@]}" ;;
  install)
    [ $# = 1 ] && known "$1" || die "usage: server.sh install {${SERVERS[*]}}"
    "$(fn "$1" install)" ;;
  start)
    [ $# -ge 4 ] && known "$1" || die "usage: server.sh start {${SERVERS[*]}} PORT RUNDIR CONTEXT=WAR..."
    server="$1"; port="$2"; rundir="$3"; shift 3
    contexts=(); wars=()
    for a in "$@"; do
      ctx="${a%%=*}"; war="${a#*=}"
      [ "$ctx" = ROOT ] && ctx=""
      [ -f "$war" ] || die "no such WAR: $war"
      contexts+=("$ctx"); wars+=("$(readlink -f "$war")")
    done
    home="$("$(fn "$server" install)")"
    jdk="$(find_jdk "$(eval echo "\$$(fn "$server" jdk)")")"
    [ -f "$rundir/pid" ] && stop_rundir "$rundir"
    rm -rf "$rundir"; mkdir -p "$rundir"; rundir="$(readlink -f "$rundir")"
    emit server "$server"
    emit version "$(eval echo "\$$(fn "$server" version)")"
    emit jdk "$(java_property "$jdk" java.version)"
    emit url "http://127.0.0.1:$port"
    t0="$(now_ms)"
    if ! "$(fn "$server" start)"; then
      log "$server did not start; its logs are in $rundir"
      stop_rundir "$rundir" >/dev/null 2>&1 || true
      exit 1
    fi
    emit pid "$(cat "$rundir/pid")"
    emit seconds "$(seconds_since "$t0")"
    log "$server $(eval echo "\$$(fn "$server" version)") ready on http://127.0.0.1:$port in $(seconds_since "$t0") s" ;;
  stop)
    [ $# = 1 ] || die "usage: server.sh stop RUNDIR"
    stop_rundir "$1" ;;
  *) die "usage: server.sh list | install SERVER | start SERVER PORT RUNDIR CONTEXT=WAR... | stop RUNDIR" ;;
esac
