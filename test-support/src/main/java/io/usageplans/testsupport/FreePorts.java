package io.usageplans.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports that are free on 127.0.0.1, for the Hazelcast members and servers tests start: never fixed ones, so that
 * builds and test JVMs running side by side on one machine do not take each other's ports.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * {@code count} different ports the system had free on 127.0.0.1 a moment ago: each is bound (all at once, so
     * they differ) and closed again for the caller to bind.
     */
    public static int[] loopback(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // closing a listening socket that never accepted does not fail in practice
                    }
                }
            }
        }
    }

    /** One port the system had free on 127.0.0.1 a moment ago. */
    public static int loopback() {
        return loopback(1)[0];
    }
}
