package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.infinispan.Cache;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.FailMode;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.spi.UsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.Test;

/**
 * The node that owns a key stops answering (every JGroups message to and from it dropped): a request waits at most the
 * timeout, then its plan's fail mode decides (CLOSED: 503; OPEN: through, unmetered), and neither is charged: once the
 * node answers again, the writes that arrived late are given back.
 */
class FailModeTest {

    private static final String CLOSED_KEY = "fail-closed-key-0123456789";
    private static final String OPEN_KEY = "fail-open-key-0123456789ab";

    @Test
    void aKeyWhoseOwnerDoesNotAnswerInTimeGetsItsPlansFailModeAndIsNotCharged() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (TestGrid grid = TestGrid.start(2)) {
            EmbeddedCacheManager other = grid.nodes.get(1);
            InfinispanUsageStore store = grid.store(0, "fail-mode", 300);
            String closedName = ownedBy(store.stateCache(), other, "closed-", "closed");
            String openName = ownedBy(store.stateCache(), other, "open-", "open");
            Catalog catalog = Catalog.builder()
                    .plan(Plan.builder("closed").quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build())
                    .plan(Plan.builder("open").quota(Quota.limit(100).period(QuotaPeriod.DAY)).failMode(FailMode.OPEN).stage("test").build())
                    .apiKey(ApiKey.builder(closedName).value(CLOSED_KEY).plans("closed").build())
                    .apiKey(ApiKey.builder(openName).value(OPEN_KEY).plans("open").build())
                    .build();
            try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock).store(store).build()) {
                assertEquals(Outcome.ALLOWED, engine.decide(CLOSED_KEY, "GET", "/x").outcome());
                assertEquals(Outcome.ALLOWED, engine.decide(OPEN_KEY, "GET", "/x").outcome());

                DISCARD silence = new DISCARD().discardAll(true);
                channelOf(other).getProtocolStack().insertProtocol(silence, ProtocolStack.Position.ABOVE, TP.class);
                long start = System.nanoTime();
                Decision closed = engine.decide(CLOSED_KEY, "GET", "/x");
                Decision open = engine.decide(OPEN_KEY, "GET", "/x");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(Outcome.UNAVAILABLE, closed.outcome(), "fail closed: 503");
                assertEquals(503, closed.outcome().status());
                assertEquals(Outcome.ALLOWED, open.outcome(), "fail open: through");
                assertEquals(1, engine.failedOpenCount(), "counted as failed open");
                assertTrue(millis < 2_000, "two requests waited about the 300 ms timeout each, not longer: " + millis + " ms");

                channelOf(other).getProtocolStack().removeProtocol(DISCARD.class);
                Await.until(() -> store.lateDecisionsGivenBack() == 2, Duration.ofSeconds(20),
                        "both late writes given back once the owner answers again");
                long day = Instant.parse("2027-03-10T00:00:00Z").toEpochMilli();
                Await.until(() -> store.usage(closedName, "closed").quotaUsedIn(day) == 1
                                && store.usage(openName, "open").quotaUsedIn(day) == 1, Duration.ofSeconds(10),
                        "only the requests served before the silence count");
                assertEquals(Outcome.ALLOWED, engine.decide(CLOSED_KEY, "GET", "/x").outcome(), "answers again");
                assertEquals(2, store.usage(closedName, "closed").quotaUsedIn(day));
            }
        }
    }

    /** A key name whose state on {@code plan} has {@code node} as its primary owner. */
    private static String ownedBy(Cache<String, String> cache, EmbeddedCacheManager node, String prefix, String plan) {
        for (int i = 0; ; i++) {
            String name = prefix + i;
            if (cache.getAdvancedCache().getDistributionManager().getCacheTopology()
                    .getDistribution(UsageStore.stateKey(name, plan)).primary().equals(node.getAddress())) {
                return name;
            }
        }
    }

    private static org.jgroups.JChannel channelOf(EmbeddedCacheManager node) {
        return ((JGroupsTransport) GlobalComponentRegistry.componentOf(node, Transport.class)).getChannel();
    }
}
