package io.usageplans;

/**
 * What a plan's requests get when the store cannot answer in time (a clustered store with the cluster down or a
 * partition lost). Local stores always answer.
 */
public enum FailMode {
    /** Refuse: 503 {"message":"Service Unavailable"} with Retry-After. The default: limits are never silently off. */
    CLOSED,
    /** Let the request through unmetered; logged (at most one line per 10 s) and counted. */
    OPEN
}
