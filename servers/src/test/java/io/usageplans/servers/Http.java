package io.usageplans.servers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
