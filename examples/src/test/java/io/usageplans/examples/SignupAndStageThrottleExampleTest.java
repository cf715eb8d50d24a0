package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example's keyless sign-up (5 per minute per client address) and its stage throttle on GET /pets. */
class SignupAndStageThrottleExampleTest {

    private static PetStoreApp app;

    @BeforeAll
    static void start() throws Exception {
        app = PetStoreApp.start(0);
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    /** POST /test/signup from {@code source}, a loopback address of its own; the status line and the rest. */
    private static String signUp(String source) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /test/signup HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(1 << 16), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theSixthSignUpFromOneAddressInAMinuteIsTooManyRequests() throws Exception {
        for (int i = 1; i <= 5; i++) {
            String response = signUp("127.0.0.2");
            assertTrue(response.startsWith("HTTP/1.1 201 "), "sign-up " + i + ": " + response);
            assertTrue(response.endsWith("{\"message\":\"signed up\"}"), response);
            assertTrue(response.contains("RateLimit-Policy: \"signup-burst\";q=5;w=60"), response);
        }
        String sixth = signUp("127.0.0.2");
        assertTrue(sixth.startsWith("HTTP/1.1 429 "), sixth);
        assertTrue(sixth.endsWith("{\"message\":\"Too Many Requests\"}"), sixth);
        assertTrue(sixth.contains("Retry-After: 12"), "one sign-up every 12 s: " + sixth);
        assertTrue(signUp("127.0.0.3").startsWith("HTTP/1.1 201 "), "another address has its own 5");
    }

    @Test
    void getPetsCarriesTheStageThrottleForAllCallersAndTheTutorialIsUnchanged() throws Exception {
        HttpResponse<String> pets = Http.get("http://localhost:" + app.port() + "/test/pets")
                .header("x-api-key", "demo-dev-key-0123456789").send();
        assertEquals(200, pets.statusCode());
        assertEquals("\"dev-burst\";q=2000;w=2, \"stage-/pets/GET\";q=1000;w=2",
                pets.headers().firstValue("RateLimit-Policy").orElseThrow());
        HttpResponse<String> one = Http.get("http://localhost:" + app.port() + "/test/pets/1")
                .header("x-api-key", "demo-dev-key-0123456789").send();
        assertEquals(200, one.statusCode());
        assertTrue(!one.headers().firstValue("RateLimit-Policy").orElseThrow().contains("stage-"),
                "the stage throttles GET /pets only");
        assertEquals(403, Http.get("http://localhost:" + app.port() + "/test/pets").send().statusCode(),
                "a stage throttle lets no caller in without a key");
    }
}
