package io.usageplans.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.usageplans.Decision;
import io.usageplans.UsageAlert;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageListener;

/**
 * Posts every {@link UsageAlert} to a URL ({@value #WEBHOOK}) as {@link UsageAlert#toJson() a small JSON body}, from a
 * daemon thread with a bounded queue: a request never waits for it. A delivery that fails (no answer within the timeout,
 * a refused connection, a status other than 2xx) is tried again after 1, 2, 4 and 8 seconds, then dropped and logged.
 */
public final class AlertWebhook implements UsageListener {

    /** The setting that names the webhook's URL (init-param, context-param, system property or USAGEPLANS_ALERTS_WEBHOOK). */
    public static final String WEBHOOK = "usageplans.alerts.webhook";
    /** Alerts waiting for delivery; more are dropped and logged. */
    public static final int QUEUE_CAPACITY = 1_000;
    /** Tries of one alert, the first included. */
    public static final int ATTEMPTS = 5;

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long FIRST_BACKOFF_MILLIS = 1_000;

    private final URI url;
    private final HttpClient client;
    private final ThreadPoolExecutor sender;
    private final long firstBackoffMillis;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** A webhook posting to {@code url}, an absolute http or https URL. */
    public AlertWebhook(URI url) {
        this(url, FIRST_BACKOFF_MILLIS);
    }

    AlertWebhook(URI url, long firstBackoffMillis) {
        this.url = check(url);
        this.firstBackoffMillis = firstBackoffMillis;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE_CAPACITY),
                runnable -> {
                    Thread thread = new Thread(runnable, "usage-plans-alert-webhook");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * The webhook of the setting {@value #WEBHOOK} whose value is {@code value}, set at {@code origin}.
     *
     * @throws UsagePlansConfigException naming the setting when the value is not an absolute http or https URL
     */
    public static AlertWebhook of(String value, String origin) {
        try {
            return new AlertWebhook(URI.create(value.trim()));
        } catch (IllegalArgumentException e) {
            throw new UsagePlansConfigException(origin, "must be an absolute http or https URL, was '" + value + "'");
        }
    }

    private static URI check(URI url) {
        if (url == null || !url.isAbsolute() || url.getHost() == null
                || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalArgumentException("an alert webhook needs an absolute http or https URL, was " + url);
        }
        return url;
    }

    @Override
    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        // only alerts are posted
    }

    @Override
    public void onAlert(UsageAlert alert) {
        String body = alert.toJson();
        try {
            sender.execute(() -> deliver(alert, body));
        } catch (RejectedExecutionException e) {
            dropped.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "usage-plans: alert webhook queue full ({0}); dropped alert {1} of key {2}",
                    QUEUE_CAPACITY, alert.kind(), alert.key());
        }
    }

    private void deliver(UsageAlert alert, String body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .header("Idempotency-Key", alert.id())
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        long backoff = firstBackoffMillis;
        String problem = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    delivered.incrementAndGet();
                    return;
                }
                problem = "status " + response.statusCode();
            } catch (java.io.IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
                break;
            }
            if (attempt < ATTEMPTS) {
                try {
                    Thread.sleep(backoff); // the webhook's own thread: requests never wait for it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff *= 2;
            }
        }
        dropped.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "usage-plans: alert {0} of key {1} (plan {2}) could not be posted to {3}: {4}",
                alert.kind(), alert.key(), alert.plan(), shown(url), problem);
    }

    /** The URL as logs show it: without user information, query or fragment, which may hold a secret. */
    private static String shown(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** Alerts the webhook answered with 2xx. */
    public long delivered() {
        return delivered.get();
    }

    /** Alerts given up: the queue was full, or every attempt failed. */
    public long dropped() {
        return dropped.get();
    }

    /** Alerts waiting in the queue, not counting the one being sent. */
    public int queued() {
        return sender.getQueue().size();
    }

    /** Stops sending: what is queued is dropped. */
    @Override
    public void closed() {
        sender.shutdownNow();
    }
}
