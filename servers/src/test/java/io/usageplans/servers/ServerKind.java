package io.usageplans.servers;

/**
 * The servers the harness runs the example on, with the WAR each takes and its HTTP port. Every server gets a
 * range of 100 ports of its own (the script of each server says which it opens besides the HTTP port), all within
 * 18100-18999, so that the servers of one run never collide and stay clear of the ports other tests use. What each
 * server needs is in the README's "Servers" table.
 */
enum ServerKind {

    TOMCAT("tomcat", "Apache Tomcat", Harness.SERVLET_WAR, 18100),
    JETTY("jetty", "Eclipse Jetty (ee11)", Harness.SERVLET_WAR, 18200),
    WILDFLY("wildfly", "WildFly", Harness.EE_WAR, 18300),
    GLASSFISH("glassfish", "Eclipse GlassFish", Harness.EE_WAR, 18480),
    PAYARA("payara", "Payara Server Community", Harness.EE_WAR, 18580),
    PAYARA_MICRO("payara-micro", "Payara Micro", Harness.EE_WAR, 18600),
    LIBERTY("liberty", "Open Liberty (webProfile-10.0)", Harness.EE_WAR, 18700);

    final String id;
    final String title;
    final String war;
    final int port;

    ServerKind(String id, String title, String war, int port) {
        this.id = id;
        this.title = title;
        this.war = war;
        this.port = port;
    }

    @Override
    public String toString() {
        return id;
    }
}
