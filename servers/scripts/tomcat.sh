# Apache Tomcat 11 (Servlet 6.1), org.apache.tomcat:tomcat:tar.gz, Java 17+. Sourced by server.sh.
# Only PORT is opened (shutdown port off, no AJP or TLS). CATALINA_BASE = RUNDIR/base; the WARs are copied into
# its webapps/ and deployed at start-up. Tomcat has neither CDI nor JAX-RS: the WAR brings Weld and Jersey.
# Hardened as the README's Servers section tells production to be: error pages without the exception, its stack
# trace or the server's version (a request Tomcat's own parser refuses, e.g. a control character in x-api-key,
# would otherwise be answered with the header line, key included), and no request data in Tomcat's log lines
# about such requests (org.apache.juli.logging.UserDataHelper.CONFIG=NONE).
tomcat_version="${TOMCAT_VERSION:-11.0.25}"
tomcat_jdk=17

tomcat_install() { install "org.apache.tomcat:tomcat:$tomcat_version:tar.gz" "tomcat-$tomcat_version"; }

tomcat_start() {
  local base="$rundir/base" i
  require_ports_free "$port"
  mkdir -p "$base"/{conf,logs,temp,webapps,work}
  cp "$home"/conf/{catalina.properties,context.xml,logging.properties,web.xml} "$base/conf/"
  cat >"$base/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <Listener className="org.apache.catalina.core.JreMemoryLeakPreventionListener" />
  <Listener className="org.apache.catalina.core.ThreadLocalLeakPreventionListener" />
  <Service name="Catalina">
    <Connector port="$port" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000" />
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false" deployOnStartup="true">
        <Valve className="org.apache.catalina.valves.ErrorReportValve" showReport="false" showServerInfo="false" />
      </Host>
    </Engine>
  </Service>
</Server>
XML
  for i in "${!contexts[@]}"; do cp "${wars[$i]}" "$base/webapps/$(file_name "${contexts[$i]}").war"; done
  emit log "$rundir/server.log"
  emit log "$base/logs"
  start_bg "$rundir/server.log" env JAVA_HOME="$jdk" JRE_HOME="$jdk" CATALINA_HOME="$home" CATALINA_BASE="$base" \
    CATALINA_PID= CATALINA_OPTS="-Xmx768m -Dorg.apache.juli.logging.UserDataHelper.CONFIG=NONE ${JAVA_OPTS_EXTRA:-}" "$home/bin/catalina.sh" run >/dev/null
  # Tomcat logs "Server startup in" once every web application has started or failed
  tomcat_started() { grep -q 'Server startup in' "$rundir/server.log" 2>/dev/null; }
  wait_until "Tomcat start-up" tomcat_started || return 1
  for i in "${!contexts[@]}"; do
    local ctx="${contexts[$i]}"
    if grep -q -e "Context \[${ctx:+/$ctx}\] startup failed" -e "Error deploying web application archive \[.*/$(file_name "$ctx")\.war\]" \
        "$rundir/server.log"; then app_outcome "$ctx" failed
    elif grep -q "Deployment of web application archive \[.*/$(file_name "$ctx")\.war\] has finished" "$rundir/server.log"; then app_outcome "$ctx" deployed
    else app_outcome "$ctx" failed; fi
  done
}
