package io.usageplans.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * The moment, in Redis's clock, after which a decision must change nothing: now plus the wait less a margin, translated
 * with an estimate of how far Redis's clock is from this JVM's (one {@code TIME}, halfway through its round trip, every
 * 10 s, on a request thread that finds it old; the others keep the last estimate). The margin comes off the wait, never
 * on top of it: a decision Redis runs after the caller stopped waiting (its request got the plan's fail mode) must
 * charge nothing, so Redis stops charging a little before the caller stops waiting, and a decision it runs in that last
 * moment is answered "too late" while the caller still listens. It reads the real clock on purpose: the wait is real
 * time, whatever clock the engine meters with.
 */
final class Deadline {

    private static final long REMEASURE_NANOS = 10_000_000_000L;
    /** Taken off the wait (a quarter of it at most): what an estimate from a loopback or LAN round trip may be off by. */
    private static final long MARGIN_MICROS = 50_000;

    private final UnifiedJedis redis;
    private final long waitMicros;
    private final Clock wall = Clock.systemUTC();
    private final ReentrantLock measuring = new ReentrantLock();
    private volatile long offsetMicros;
    private volatile long measuredAtNanos;
    private volatile boolean measured;

    Deadline(UnifiedJedis redis, Duration wait) {
        this.redis = redis;
        long micros = wait.toNanos() / 1000;
        this.waitMicros = micros - Math.min(MARGIN_MICROS, micros / 4);
    }

    /** How long after it is sent a decision may still charge, in microseconds: the wait less the margin. */
    long chargingMicros() {
        return waitMicros;
    }

    /** The deadline of a decision sent now, in microseconds of Redis's clock. */
    String deadline() {
        if (!measured || System.nanoTime() - measuredAtNanos > REMEASURE_NANOS) {
            if (measuring.tryLock()) {
                try {
                    measure();
                } finally {
                    measuring.unlock();
                }
            } else if (!measured) {
                return ""; // another thread is measuring for the first time: this decision goes without a deadline
            }
        }
        return Long.toString(micros(wall.instant()) + offsetMicros + waitMicros);
    }

    /** Measures the offset again (throws what the client throws when Redis does not answer). */
    void measure() {
        long start = System.nanoTime();
        Instant before = wall.instant();
        Object reply = redis.sendCommand("usageplans:time", Protocol.Command.TIME); // the key routes it in a Cluster
        long half = (System.nanoTime() - start) / 2000;
        List<?> time = (List<?>) reply;
        long redisMicros = Long.parseLong(text(time.get(0))) * 1_000_000 + Long.parseLong(text(time.get(1)));
        offsetMicros = redisMicros - (micros(before) + half);
        measuredAtNanos = System.nanoTime();
        measured = true;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.US_ASCII) : String.valueOf(value);
    }
}
