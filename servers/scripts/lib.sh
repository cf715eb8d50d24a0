# Helpers for server.sh and the per-server scripts (sourced, never run).
#
#   SERVERS_CACHE    where server distributions are unpacked (default ~/.cache/usage-plans/servers)
#   STARTUP_TIMEOUT  seconds a server may take from launch until every WAR has deployed or failed (default 300)
#   SERVER_JAVA_HOME the JDK to run the server with (default: the lowest installed JDK the server accepts)
#   SERVERS_JDKS     more JDK homes to choose from, separated by ':'
#   MVN              the Maven command that downloads distributions (default: mvn)

set -euo pipefail

SERVERS_CACHE="${SERVERS_CACHE:-$HOME/.cache/usage-plans/servers}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-300}"
MVN="${MVN:-mvn}"
mkdir -p "$SERVERS_CACHE/downloads"

log() { echo "[servers] $*" >&2; }
die() { echo "[servers] ERROR: $*" >&2; exit 1; }
# result lines on stdout, read by the tests: key=value
emit() { echo "$1=$2"; }

now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# --- JDKs ----------------------------------------------------------------------------------------------
java_property() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n "s/^ *$2 = //p" | head -1; }

# find_jdk MIN -> the home of the lowest installed JDK whose major version is MIN or more
find_jdk() {
  local min="$1" best="" best_major=999 home major
  if [ -n "${SERVER_JAVA_HOME:-}" ]; then
    major="$(java_property "$SERVER_JAVA_HOME" java.specification.version)"
    [ -n "$major" ] || die "SERVER_JAVA_HOME=$SERVER_JAVA_HOME is not a JDK"
    [ "${major%%.*}" -ge "$min" ] || die "this server needs Java $min or later; SERVER_JAVA_HOME is Java $major"
    echo "$SERVER_JAVA_HOME"; return
  fi
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if [ -n "${SERVERS_JDKS:-}" ]; then IFS=: read -r -a extra <<<"$SERVERS_JDKS"; candidates+=("${extra[@]}"); fi
  candidates+=(/usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*)
  local java_on_path; java_on_path="$(command -v java || true)"
  [ -n "$java_on_path" ] && candidates+=("$(dirname "$(dirname "$(readlink -f "$java_on_path")")")")
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] || continue
    major="$(java_property "$home" java.specification.version)"; major="${major%%.*}"
    [ -n "$major" ] || continue
    if [ "$major" -ge "$min" ] && [ "$major" -lt "$best_major" ]; then best="$home"; best_major="$major"; fi
  done
  [ -n "$best" ] || die "this server needs Java $min or later, and none was found (set SERVER_JAVA_HOME or SERVERS_JDKS)"
  readlink -f "$best"
}

# --- downloads (through Maven, so the user's repositories, mirrors and proxies apply) -----------------
# fetch GROUP:ARTIFACT:VERSION:TYPE -> path of the downloaded archive
fetch() {
  local coords="$1" g a v t
  IFS=: read -r g a v t <<<"$coords"
  local file="$SERVERS_CACHE/downloads/$a-$v.$t"
  if [ ! -s "$file" ]; then
    log "downloading $coords with Maven (once; kept in $SERVERS_CACHE)"
    (cd "$SERVERS_CACHE" && "$MVN" -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="$coords" -DoutputDirectory="$SERVERS_CACHE/downloads" >&2) \
      || die "could not download $coords from the Maven repositories (no network, or not on your mirror?)"
    [ -s "$file" ] || die "Maven did not produce $file"
  fi
  echo "$file"
}

# install COORDS NAME -> unpacks the distribution once into $SERVERS_CACHE/NAME and prints that directory
# (an archive with a single top directory is unpacked without it); a .jar is only downloaded.
install() {
  local coords="$1" dst="$SERVERS_CACHE/$2"
  if [ ! -f "$dst/.unpacked" ]; then
    local archive; archive="$(fetch "$coords")"
    local tmp; tmp="$(mktemp -d "$dst.XXXXXX")"
    log "unpacking $(basename "$archive")"
    case "$archive" in
      *.zip) if command -v unzip >/dev/null; then unzip -q "$archive" -d "$tmp"; else (cd "$tmp" && jar xf "$archive") && find "$tmp" -path '*/bin/*' -type f -exec chmod +x {} +; fi ;;
      *.tar.gz) tar -xzf "$archive" -C "$tmp" ;;
      *) die "do not know how to unpack $archive" ;;
    esac
    rm -rf "$dst"
    local top; top="$(ls -A "$tmp")"
    if [ "$(printf '%s\n' "$top" | wc -l)" = 1 ] && [ -d "$tmp/$top" ]; then mv "$tmp/$top" "$dst"; rmdir "$tmp"; else mv "$tmp" "$dst"; fi
    touch "$dst/.unpacked"
    rm -f "$archive" # Maven's local repository keeps it
  fi
  echo "$dst"
}

# --- processes -----------------------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_ports_free() { local p; for p in "$@"; do port_free "$p" || die "port $p on 127.0.0.1 is in use"; done; }

# start_bg LOGFILE CMD... -> runs CMD in a session (process group) of its own; records and prints its pid
start_bg() {
  local logfile="$1"; shift
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$rundir/pid"
  echo "$pid"
}

alive() { [ -f "$rundir/pid" ] && kill -0 "$(cat "$rundir/pid")" 2>/dev/null; }

# wait_until DESCRIPTION CHECK [TIMEOUT] -> polls the function CHECK (0 done, 1 not yet, 2 failed) every
# quarter second until it is done, it fails, the server process is gone, or TIMEOUT seconds have passed
wait_until() {
  local what="$1" check="$2" timeout="${3:-$STARTUP_TIMEOUT}" deadline rc
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    rc=0; "$check" || rc=$?
    [ "$rc" = 0 ] && return 0
    [ "$rc" = 2 ] && { log "$what: failed"; return 1; }
    alive || { log "$what: the server process exited"; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$what: not done within ${timeout}s"; return 1; }
    sleep 0.25
  done
}

# app outcomes, written by each server's start function: app_outcome CONTEXT deployed|failed
app_outcome() { emit "app.$1" "$2"; log "/$1: $2"; }

# context name of an app for file names: "" (root) -> ROOT
file_name() { echo "${1:-ROOT}"; }
