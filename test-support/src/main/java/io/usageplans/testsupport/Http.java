package io.usageplans.testsupport;

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
import java.util.concurrent.CompletableFuture;

/**
 * HTTP/1.1 calls as a user's client makes them, each bounded in time: one shared client (connecting waits at most
 * 10 s, an answer at most 30 s), requests built fluently, and raw bytes for requests a client refuses to send.
 */
public final class Http {

    /** How long a request may wait for its answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The shared client: HTTP/1.1 (no h2c upgrade), connecting waits at most 10 s. */
    public static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static final int RAW_LIMIT = 1 << 20;

    private Http() {
    }

    /** A request of {@code method} to {@code url}, without a body until one is given. */
    public static Request request(String method, String url) {
        return new Request(method, URI.create(url));
    }

    /** A GET of {@code url}. */
    public static Request get(String url) {
        return request("GET", url);
    }

    /**
     * Sends {@code request} with the shared client and reads the body as a string. A server may close a kept-alive
     * connection after an error response (a body it did not read); when the client had picked that connection
     * and got no byte back, the request never reached the application, so it is sent once more on a new one.
     */
    public static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
                throw e;
            }
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * Sends {@code request} byte for byte over a new connection to 127.0.0.1:{@code port}, for requests that HTTP
     * clients refuse to send (control characters in a header), and returns everything the server answered until it
     * closed the connection, as ISO-8859-1 (the request should say {@code Connection: close}): at most 1 MB, and
     * each read waits at most 30 s.
     */
    public static String raw(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(RAW_LIMIT), StandardCharsets.ISO_8859_1);
        }
    }

    /** {@link #raw(int, byte[])} with the request's characters as ISO-8859-1 bytes. */
    public static String raw(int port, String request) throws IOException {
        return raw(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One request being built; {@link #send()} sends it with the shared client. */
    public static final class Request {

        private final HttpRequest.Builder builder;
        private final String method;
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

        private Request(String method, URI uri) {
            this.method = method;
            this.builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        }

        /** Adds a header; a null {@code value} adds none (for a key that a test sometimes leaves out). */
        public Request header(String name, String value) {
            if (value != null) {
                builder.header(name, value);
            }
            return this;
        }

        /** The body, with its {@code Content-Type} (null: none); a null {@code body} sends none. */
        public Request body(String contentType, String body) {
            header("Content-Type", contentType);
            return body(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        }

        /** The body as any publisher (bytes, a stream), without a {@code Content-Type}. */
        public Request body(HttpRequest.BodyPublisher body) {
            this.body = body;
            return this;
        }

        public HttpRequest build() {
            return builder.method(method, body).build();
        }

        public HttpResponse<String> send() throws IOException, InterruptedException {
            return Http.send(build());
        }

        public CompletableFuture<HttpResponse<String>> sendAsync() {
            return CLIENT.sendAsync(build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
