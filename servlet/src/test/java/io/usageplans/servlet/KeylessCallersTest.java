package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.annotation.UsagePlan;
import io.usageplans.config.PlanFile;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * Callers without a key, metered by client address: each source address on loopback (127.0.0.2, 127.0.0.3) is a client
 * of its own; proxy headers count only from trusted proxies; IPv6 clients are grouped by /64.
 */
class KeylessCallersTest {

    static final String PLANS = """
            plans:
              - name: signup
                throttle: { rateLimit: 0.334, burstLimit: 20 }
                apiStages: [ { stage: test } ]
              - name: tiny
                throttle: { rateLimit: 0.001, burstLimit: 2 }
                quota: { limit: 100, period: DAY }
            stages:
              - stage: test
                keyless:
                  "/signup/POST": signup
                  "/ping/GET": tiny
            """;

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    /** A response read off a socket: status and headers (names in lower case). */
    record Raw(int status, Map<String, String> headers, String body) {
    }

    /** One HTTP/1.1 request from {@code source} (a loopback address of its own): Java's HttpClient cannot choose one. */
    static Raw send(String source, int port, String method, String path, Map<String, String> headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readNBytes(1 << 16), StandardCharsets.ISO_8859_1);
            int end = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, end).split("\r\n");
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                fields.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), fields, response.substring(end + 4));
        }
    }

    private JettyApp start(UsagePlans engine, Map<String, String> settings) throws Exception {
        FilterHolder filter = new FilterHolder(new UsagePlanFilter(engine));
        filter.setInitParameters(settings);
        return JettyApp.context("/test").filter(filter).servlet(TestServer.AppServlet.class, "/*").start();
    }

    private UsagePlans engine() {
        return UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).build();
    }

    /** How many of {@code count} requests pass. */
    private static int passed(String source, int port, String method, String path, Map<String, String> headers, int count)
            throws IOException {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            Raw r = send(source, port, method, path, headers);
            if (r.status() == 200) {
                ok++;
            } else {
                assertEquals(429, r.status(), "a keyless caller is throttled, never refused or failed: " + r);
            }
        }
        return ok;
    }

    @Test
    void twentyPerMinuteIsTwentyForEachSourceAddress() throws Exception {
        try (UsagePlans engine = engine(); JettyApp app = start(engine, Map.of())) {
            int port = app.port();
            for (int i = 0; i < 20; i++) {
                Raw r = send("127.0.0.2", port, "POST", "/test/signup", Map.of());
                assertEquals(200, r.status(), "request " + (i + 1) + " from 127.0.0.2");
                assertTrue(r.headers().get("ratelimit").startsWith("\"signup-burst\";r=" + (19 - i) + ";t="),
                        r.headers().get("ratelimit"));
            }
            Raw twentyFirst = send("127.0.0.2", port, "POST", "/test/signup", Map.of());
            assertEquals(429, twentyFirst.status());
            assertEquals("{\"message\":\"Too Many Requests\"}", twentyFirst.body());
            assertEquals("3", twentyFirst.headers().get("retry-after"), "one request every 3 s at 0.334/s");
            assertEquals(20, passed("127.0.0.3", port, "POST", "/test/signup", Map.of(), 21), "127.0.0.3 has its own 20");
            assertEquals(403, send("127.0.0.2", port, "GET", "/test/pets", Map.of()).status(),
                    "the stage's other methods still need a key");
        }
    }

    @Test
    void aTrustedProxysForwardedAddressIsTheIdentityAndAnUntrustedPeersIsIgnored() throws Exception {
        try (UsagePlans engine = engine();
             JettyApp app = start(engine, Map.of(ClientAddresses.TRUSTED_PROXIES, "127.0.0.2/32, 10.0.0.0/8"))) {
            int port = app.port();
            Map<String, String> client7 = Map.of("X-Forwarded-For", "203.0.113.7");
            assertEquals(2, passed("127.0.0.2", port, "GET", "/test/ping", client7, 3), "203.0.113.7 through the proxy: 2");
            assertEquals(2, passed("127.0.0.2", port, "GET", "/test/ping", Map.of("X-Forwarded-For", "203.0.113.8"), 3),
                    "another client behind the same proxy has its own 2");
            assertEquals(2, passed("127.0.0.2", port, "GET", "/test/ping", Map.of(), 3),
                    "the proxy's own requests, without the header, are the proxy's");
            assertEquals(2, passed("127.0.0.3", port, "GET", "/test/ping", client7, 3),
                    "from an untrusted peer the header is ignored: 127.0.0.3 is the caller");
            // the right-most hop that is not a trusted proxy: a client cannot pick its identity by writing the header itself
            assertEquals(2, passed("127.0.0.2", port, "GET", "/test/ping",
                    Map.of("X-Forwarded-For", "203.0.113.7, 198.51.100.1, 10.1.2.3"), 3),
                    "203.0.113.7 was written by the client: 198.51.100.1 is the caller (10.1.2.3 is a trusted proxy)");
        }
    }

    @Test
    void spoofedAndMalformedForwardedChainsGiveThePeersOwnAddressNeverA500() throws Exception {
        try (UsagePlans engine = engine();
             JettyApp app = start(engine, Map.of(ClientAddresses.TRUSTED_PROXIES, "127.0.0.2",
                     ClientAddresses.HEADER, "Forwarded"))) {
            int port = app.port();
            String[] malformed = {"for=unknown", "for=_hidden", "for=999.1.1.1", "for=\"[2001:db8::1\"", "for=a.example",
                    "garbage", "for=203.0.113.7;for=203.0.113.8", ",,,", "for=\"1.2.3.4", "for=::1%eth0", "for=.:1"};
            int ok = 0;
            for (String value : malformed) {
                Raw r = send("127.0.0.2", port, "GET", "/test/ping", Map.of("Forwarded", value));
                assertTrue(r.status() == 200 || r.status() == 429, value + ": " + r);
                ok += r.status() == 200 ? 1 : 0;
            }
            assertEquals(2, ok, "every malformed chain is the proxy's own address, 127.0.0.2: one bucket of 2");
            assertEquals(429, send("127.0.0.2", port, "GET", "/test/ping", Map.of()).status());

            Map<String, String> client = Map.of("Forwarded", "for=203.0.113.7;proto=https, for=\"127.0.0.2:8080\"");
            assertEquals(2, passed("127.0.0.2", port, "GET", "/test/ping", client, 3), "RFC 7239: 203.0.113.7's own 2");
            assertEquals(429, send("127.0.0.2", port, "GET", "/test/ping", Map.of("X-Forwarded-For", "198.51.100.9")).status(),
                    "the proxies write Forwarded: X-Forwarded-For is not read, and the proxy's own 2 are spent");
        }
    }

    @Test
    void ipv6ClientsAreGroupedByTheirSlash64() throws Exception {
        try (UsagePlans engine = engine();
             JettyApp app = start(engine, Map.of(ClientAddresses.TRUSTED_PROXIES, "127.0.0.2"))) {
            int port = app.port();
            assertEquals(200, ping(port, "2001:db8:1:2::1"));
            assertEquals(200, ping(port, "2001:db8:1:2:ffff:ffff:ffff:fffe"), "same /64");
            assertEquals(429, ping(port, "2001:db8:1:2:abcd::7"), "same /64: its 2 are spent, however the client rotates");
            assertEquals(200, ping(port, "[2001:db8:1:3::1]:443"), "the next /64 is another client");
            assertEquals(200, ping(port, "::ffff:198.51.100.20"), "an IPv4-mapped address is the IPv4 client");
            assertEquals(200, ping(port, "198.51.100.20"));
            assertEquals(429, ping(port, "198.51.100.20"));
        }
        try (UsagePlans engine = engine();
             JettyApp app = start(engine, Map.of(ClientAddresses.TRUSTED_PROXIES, "127.0.0.2",
                     ClientAddresses.IPV6_PREFIX, "128"))) {
            int port = app.port();
            assertEquals(200, ping(port, "2001:db8:1:2::1"));
            assertEquals(200, ping(port, "2001:db8:1:2::1"));
            assertEquals(200, ping(port, "2001:db8:1:2::2"), "with /128 every address is a client");
        }
    }

    private static int ping(int port, String forwardedFor) throws IOException {
        return send("127.0.0.2", port, "GET", "/test/ping", Map.of("X-Forwarded-For", forwardedFor)).status();
    }

    @Test
    void aBadTrustedProxyEntryStopsStartUpNamingTheSettingEntryAndValue() {
        try (UsagePlans engine = engine()) {
            Exception e = assertThrows(Exception.class, () -> start(engine,
                    Map.of(ClientAddresses.TRUSTED_PROXIES, "10.0.0.0/8, 10.0.0.0/33, proxy.example")).close());
            String message = StageThrottleTest.rootMessage(e);
            assertTrue(message.contains("init-param usageplans.trusted-proxies: usageplans.trusted-proxies[1]: '10.0.0.0/33' is not "
                    + "a CIDR block: the prefix length must be 0 to 32 for this address, was 33"), message);
            assertTrue(message.contains("usageplans.trusted-proxies[2]: 'proxy.example' is not an IP address or CIDR block"),
                    message);
        }
    }

    /** Annotated: sign-up without a key, by client address. */
    public static class SignupServlet extends HttpServlet {
        @Override
        @UsagePlan(keyless = "tiny")
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(201);
            response.setContentType("application/json");
            response.getWriter().write("{\"status\":\"created\"}");
        }
    }

    @Test
    void usagePlanKeylessMetersAnAnnotatedMethodByClientAddress() throws Exception {
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS.replace("""
                     keyless:
                       "/signup/POST": signup
                       "/ping/GET": tiny
                 """, ""), "plans.yaml")).stage("test").clock(clock).build();
             JettyApp app = JettyApp.context("/test").configure(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(SignupServlet.class, "/signup");
             }).start()) {
            int port = app.port();
            Raw first = send("127.0.0.2", port, "POST", "/test/signup", Map.of());
            assertEquals(201, first.status());
            assertEquals("{\"status\":\"created\"}", first.body());
            assertEquals("\"tiny-burst\";q=2;w=2000, \"tiny-day\";q=100;w=86400", first.headers().get("ratelimit-policy"));
            assertEquals(201, send("127.0.0.2", port, "POST", "/test/signup", Map.of("x-api-key", "anything")).status(),
                    "a key, if any, is not looked at");
            assertEquals(429, send("127.0.0.2", port, "POST", "/test/signup", Map.of()).status());
            assertEquals(201, send("127.0.0.3", port, "POST", "/test/signup", Map.of()).status());
            assertFalse(send("127.0.0.3", port, "GET", "/test/signup", Map.of()).status() == 500);
        }
    }
}
