package io.usageplans.servers;

import java.util.Map;

/**
 * Two instances of one server kind that keep the usage-plans state in one cluster on 127.0.0.1 (Hazelcast's TCP-IP
 * join or JGroups TCP with a static member list, no multicast, a cluster name of this run's own). HTTP on
 * {@link #port(int)}: {@code port} and {@code port + 1} unless a kind says otherwise; the grid on {@code port + 10}
 * and {@code port + 11} (WildFly: + 20, + 21).
 */
enum ClusterKind {

    /**
     * Two Tomcats with the servlet WAR (which carries Hazelcast 5.7): each application starts an embedded member.
     * Only system properties change; Hazelcast's recommended --add-opens keep it from logging warnings about them.
     */
    TOMCAT_CLUSTER("tomcat-cluster", ServerKind.TOMCAT, 18800, "Members {size:2",
            "Apache Tomcat ×2, an embedded Hazelcast member in each application", "Hazelcast 5.7.0 in the WAR, member mode") {
        @Override
        String jvmOptions(String cluster, int instance) {
            return "--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED"
                    + " --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
                    + " --add-opens java.management/sun.management=ALL-UNNAMED"
                    + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
                    + " -Dhazelcast.phone.home.enabled=false -Dusageplans.store=hazelcast"
                    + " -Dusageplans.hazelcast.cluster-name=" + cluster
                    + " -Dusageplans.hazelcast.port=" + (port + 10 + instance)
                    + " -Dusageplans.hazelcast.members=127.0.0.1:" + (port + 10) + ",127.0.0.1:" + (port + 11);
        }

        @Override
        Map<String, String> env(String cluster) {
            return Map.of();
        }
    },

    /**
     * Two Payara Micros with the EE WAR (no Hazelcast inside): the store uses Payara's own data grid, found in JNDI
     * at payara/Hazelcast, and decides on the caller, since Payara's members do not have our classes. Deciding on the
     * caller retries when requests for one key race; with 8 at once on this 2-core machine one in a hundred took
     * longer than the default 500 ms (and failed closed, 503), so this cluster waits up to 2 s.
     */
    PAYARA_MICRO_CLUSTER("payara-micro-cluster", ServerKind.PAYARA_MICRO, 18900, "DG Size: 2",
            "Payara Micro ×2, Payara's own data grid", "Payara's Hazelcast through JNDI, decide-on-caller") {
        @Override
        String jvmOptions(String cluster, int instance) {
            return "-Dusageplans.store=hazelcast -Dusageplans.hazelcast.mode=jndi"
                    + " -Dusageplans.hazelcast.jndi-name=payara/Hazelcast -Dusageplans.hazelcast.decide-on-caller=true"
                    + " -Dusageplans.hazelcast.timeout=2000";
        }

        @Override
        Map<String, String> env(String cluster) {
            // the script gives each instance's data grid port + 10; Payara takes a list here, not a range
            return Map.of("PAYARA_MICRO_CLUSTER", cluster, "PAYARA_MICRO_MEMBERS", "127.0.0.1:" + (port + 10) + ",127.0.0.1:" + (port + 11));
        }
    },

    /**
     * Two WildFlys in standalone-ha.xml with the EE WAR (no Infinispan inside): the store uses the server's own cache
     * container ({@code java:jboss/infinispan/container/server}) through the WAR's jboss-deployment-structure.xml. The
     * script turns the HA profile's JGroups into TCP with a static member list (TCPPING on port + 20 and + 21) and
     * mod_cluster's multicast off. Each instance takes five ports (HTTP, HTTPS, two management, AJP): 18850 and 18860.
     */
    WILDFLY_CLUSTER("wildfly-cluster", ServerKind.WILDFLY, 18850,
            "ISPN100010: Finished rebalance with members [usage-plans-0, usage-plans-1]",
            "WildFly ×2 (standalone-ha), the server's own Infinispan", "WildFly's Infinispan through JNDI") {
        @Override
        int port(int instance) {
            return port + 10 * instance;
        }

        @Override
        String jvmOptions(String cluster, int instance) {
            return "-Dusageplans.store=infinispan -Dusageplans.infinispan.mode=wildfly -Djboss.node.name=usage-plans-" + instance;
        }

        @Override
        Map<String, String> env(String cluster) {
            return Map.of("WILDFLY_CLUSTER", cluster, "WILDFLY_MEMBERS", "127.0.0.1[" + (port + 20) + "],127.0.0.1[" + (port + 21) + "]");
        }

        @Override
        Map<String, String> env(String cluster, int instance) {
            Map<String, String> env = new java.util.HashMap<>(env(cluster));
            env.put("WILDFLY_JGROUPS_PORT", Integer.toString(port + 20 + instance));
            return env;
        }
    };

    final String id;
    final ServerKind server;
    final int port;
    final String joined;
    final String title;
    final String store;

    ClusterKind(String id, ServerKind server, int port, String joined, String title, String store) {
        this.id = id;
        this.server = server;
        this.port = port;
        this.joined = joined;
        this.title = title;
        this.store = store;
    }

    /** The HTTP port of instance 0 or 1 (servers that take several ports per instance space them out). */
    int port(int instance) {
        return port + instance;
    }

    /** Environment of the server script for instance 0 or 1. */
    Map<String, String> env(String cluster, int instance) {
        return env(cluster);
    }

    /** JVM options of instance 0 or 1. */
    abstract String jvmOptions(String cluster, int instance);

    /** Environment of the server script. */
    abstract Map<String, String> env(String cluster);

    @Override
    public String toString() {
        return id;
    }
}
