package io.usageplans.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain HTTP/1.1 calls with the key in {@code x-api-key}, each bounded in time. */
final class Http {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String DISABLED = "demo-disabled-key-0123456789";

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    static HttpResponse<String> get(String url, String key) throws IOException, InterruptedException {
        return send("GET", url, key, null);
    }

    static HttpResponse<String> send(String method, String url, String key, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("x-api-key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends {@code request} byte for byte (ISO-8859-1) over a new connection to 127.0.0.1:{@code port}, for requests
     * that HTTP clients refuse to send (control characters in a header), and returns everything the server answered
     * until it closed the connection (the request should say {@code Connection: close}): at most 1 MB, and each read
     * waits at most 30 s.
     */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(1 << 20);
            return new String(answer, StandardCharsets.ISO_8859_1);
        }
    }
}
