package io.usageplans.examples;

import java.io.IOException;

/**
 * {@link PetStoreApp#main} in a JVM a test starts, which exits (running the app's shutdown hooks) as soon as its
 * standard input ends: when the test closes it, or when the test's JVM dies, however it dies. So no example
 * instance outlives the build that started it.
 */
public final class PetStoreAppChild {

    private PetStoreAppChild() {
    }

    public static void main(String[] args) throws Exception {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is sent; reading only waits for the end
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone as well
            }
            System.exit(0);
        }, "exit-with-parent");
        watch.setDaemon(true);
        watch.start();
        PetStoreApp.main(args);
    }
}
