package io.usageplans.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real {@code redis-server} for tests: started on a free loopback port with no persistence, in a temporary
 * directory, and stopped by {@link #close()}. {@link #stop()} and {@link #restart()} take it away and bring it back on
 * the same port, as an operator would. Needs Debian's {@code redis-server} (CI's {@code .ci/run} installs it); without
 * it, {@link #start} fails saying how to install it.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_UP = Duration.ofSeconds(20);

    private final int port;
    private final Path dir;
    private final List<String> extra;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extra) {
        this.port = port;
        this.dir = dir;
        this.extra = extra;
    }

    /** A server on a free loopback port; {@code extraArgs} are more {@code redis-server} options ({@code --requirepass s}). */
    public static RedisServer start(String... extraArgs) {
        return start(FreePorts.loopback(), extraArgs);
    }

    public static RedisServer start(int port, String... extraArgs) {
        try {
            RedisServer server = new RedisServer(port, Files.createTempDirectory("usage-plans-redis-"), List.of(extraArgs));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code redis-server} to run: {@code REDIS_SERVER}, else the one on the {@code PATH}. */
    public static String executable() {
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("redis-server is not installed, and the Redis tests need it: on Debian or Ubuntu "
                + "`apt-get install redis-server` (CI's .ci/run installs it), or set REDIS_SERVER to its path");
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(extra);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.nanoTime() + START_UP.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited: " + log());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("redis-server on port " + port + " did not answer within " + START_UP + ": " + log());
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Whether something answers a PING on the port (any answer: a password-protected server says NOAUTH). */
    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return in.read() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The server's log so far. */
    public String log() {
        try {
            Path file = dir.resolve("redis.log");
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it is gone; its data is lost. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            signal("CONT"); // a paused server would not hear SIGTERM
        } catch (RuntimeException e) {
            // already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a server stuck or swapping. */
    public synchronized void pause() {
        signal("STOP");
    }

    /** Lets a {@link #pause() paused} server go on (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server again on the same port, empty. */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
