package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.NoSuchElementException;

import io.usageplans.spi.KeyDirectory;
import org.junit.jupiter.api.Test;

/** The engine's own key directory changes many keys with one new catalog: all of them, or none. */
class KeyDirectoryBatchTest {

    private static final String BASIC_VALUE = "batch-basic-key-0123456789";
    private static final String GOLD_VALUE = "batch-gold-key-0123456789";

    private static UsagePlans engine() {
        Catalog catalog = Catalog.builder().api("shop")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2)).stage("test").build())
                .plan(Plan.builder("gold").throttle(Throttle.rateLimit(100).burstLimit(100)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC_VALUE).plans("basic").build())
                .apiKey(ApiKey.builder("gold-customer").value(GOLD_VALUE).plans("gold").build())
                .apiKey(ApiKey.builder("third-customer").value("batch-third-key-0123456789").plans("basic").build())
                .build();
        return UsagePlans.builder(catalog).stage("test").build();
    }

    private static List<String> keys(KeyDirectory directory) {
        return directory.keys().stream().map(key -> key.name() + ":" + key.plans()).toList();
    }

    @Test
    void replacingSeveralKeysAppliesAllOfThemAtOnce() {
        try (UsagePlans engine = engine()) {
            KeyDirectory directory = engine.keyDirectory();
            List<ApiKey> now = directory.keys();

            directory.replaceAll(List.of(now.get(0).withPlans(List.of("gold")), now.get(2).withEnabled(false)));

            assertEquals(List.of("basic-customer:[gold]", "gold-customer:[gold]", "third-customer:[basic]"), keys(directory));
            assertEquals(Decision.Outcome.FORBIDDEN, engine.decide("batch-third-key-0123456789", "GET", "/pets").outcome());
            assertEquals("\"gold-burst\";q=100;w=1", engine.decide(BASIC_VALUE, "GET", "/pets").rateLimitPolicy());
        }
    }

    @Test
    void aBatchWithOneKeyOnAnUnknownPlanChangesNoKey() {
        try (UsagePlans engine = engine()) {
            KeyDirectory directory = engine.keyDirectory();
            List<ApiKey> now = directory.keys();

            UsagePlansConfigException refused = assertThrows(UsagePlansConfigException.class, () -> directory.replaceAll(
                    List.of(now.get(0).withPlans(List.of("gold")), now.get(1).withPlans(List.of("platinum")))));

            assertEquals(true, refused.getMessage().contains("platinum"), refused.getMessage());
            assertEquals(List.of("basic-customer:[basic]", "gold-customer:[gold]", "third-customer:[basic]"), keys(directory));
        }
    }

    @Test
    void aBatchNamingAKeyThatIsNotThereChangesNoKeyAndNamesIt() {
        try (UsagePlans engine = engine()) {
            KeyDirectory directory = engine.keyDirectory();
            ApiKey stranger = ApiKey.builder("stranger").value("batch-stranger-key-0123456789").plans("basic").build();

            NoSuchElementException refused = assertThrows(NoSuchElementException.class, () -> directory.replaceAll(
                    List.of(directory.keys().get(0).withPlans(List.of("gold")), stranger)));

            assertEquals("no key named 'stranger'", refused.getMessage());
            assertEquals(List.of("basic-customer:[basic]", "gold-customer:[gold]", "third-customer:[basic]"), keys(directory));
        }
    }

    @Test
    void removingSeveralKeysRemovesThoseThereAndSaysWhich() {
        try (UsagePlans engine = engine()) {
            KeyDirectory directory = engine.keyDirectory();

            List<String> removed = directory.removeAll(List.of("gold-customer", "nobody", "third-customer"));

            assertEquals(List.of("gold-customer", "third-customer"), removed);
            assertEquals(List.of("basic-customer:[basic]"), keys(directory));
            assertEquals(Decision.Outcome.FORBIDDEN, engine.decide(GOLD_VALUE, "GET", "/pets").outcome());
            assertEquals(List.of(), directory.removeAll(List.of("nobody")));
        }
    }
}
