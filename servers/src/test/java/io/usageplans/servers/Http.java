package io.usageplans.servers;

import java.io.IOException;
import java.net.http.HttpResponse;

/** Plain HTTP/1.1 calls with the key in {@code x-api-key}, each bounded in time (the shared test-support client). */
final class Http {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String DISABLED = "demo-disabled-key-0123456789";

    private Http() {
    }

    static HttpResponse<String> get(String url, String key) throws IOException, InterruptedException {
        return send("GET", url, key, null);
    }

    /** With a body, {@code Content-Type: application/json}. */
    static HttpResponse<String> send(String method, String url, String key, String body) throws IOException, InterruptedException {
        return io.usageplans.testsupport.Http.request(method, url).body(body == null ? null : "application/json", body)
                .header("x-api-key", key).send();
    }

    /**
     * Sends {@code request} byte for byte (ISO-8859-1) over a new connection to 127.0.0.1:{@code port}, for requests
     * that HTTP clients refuse to send (control characters in a header), and returns everything the server answered
     * until it closed the connection (the request should say {@code Connection: close}): at most 1 MB, and each read
     * waits at most 30 s.
     */
    static String raw(int port, String request) throws IOException {
        return io.usageplans.testsupport.Http.raw(port, request);
    }
}
