package io.usageplans.spi;

/**
 * What a store can say of itself to a readiness check and to metrics: whether it can answer a decision now, how many
 * cluster members it sees (1 for a store in this JVM), and the keys it holds state for ({@code -1}: it cannot count
 * them cheaply).
 *
 * @param answering   whether a decision would get an answer now (a clustered store: it is connected to a member)
 * @param membersSeen the cluster members this store sees; 1 for a store in this JVM, 0 when it sees none
 * @param detail      why it cannot answer, for the health check's data; empty when it can
 */
public record StoreHealth(boolean answering, int membersSeen, String detail) {

    /** A store in this JVM: it always answers. */
    public static final StoreHealth LOCAL = new StoreHealth(true, 1, "");

    public StoreHealth {
        detail = detail == null ? "" : detail;
    }
}
