package io.usageplans.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.greenbytes.http.sfv.DecimalItem;
import org.greenbytes.http.sfv.IntegerItem;
import org.greenbytes.http.sfv.Item;
import org.greenbytes.http.sfv.ListElement;
import org.greenbytes.http.sfv.Parser;
import org.greenbytes.http.sfv.StringItem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.usageplans.Decision;
import io.usageplans.config.PlanFile;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;

/**
 * The {@code RateLimit-Policy} and {@code RateLimit} fields, read back with an independent structured-field parser
 * (Julian Reschke's {@code org.greenbytes.http:structured-fields}): every field is a valid sf-list of sf-strings with
 * integer {@code q}/{@code w}/{@code r}/{@code t} and decimal {@code up-rate}, already in the canonical form the parser
 * serialises, and names with quotes and backslashes come back as they were written.
 */
class RateLimitFieldsTest {

    /**
     * A field as the parser reads it: one line per item, {@code name q=3 w=1}, integers as written and decimals with a
     * {@code d} suffix, so that a decimal where an integer belongs (or the reverse) shows.
     */
    static List<String> read(String field) {
        List<String> items = new ArrayList<>();
        List<ListElement<?>> list = Parser.parseList(field).get();
        for (ListElement<?> element : list) {
            StringItem item = (StringItem) element;
            StringBuilder line = new StringBuilder(item.get());
            for (Map.Entry<String, Item<?>> p : item.getParams().entrySet()) {
                line.append(' ').append(p.getKey()).append('=');
                if (p.getValue() instanceof IntegerItem i) {
                    line.append(i.get());
                } else if (p.getValue() instanceof DecimalItem d) {
                    line.append(d.get().stripTrailingZeros().toPlainString()).append('d');
                } else {
                    line.append("?").append(p.getValue().serialize());
                }
            }
            items.add(line.toString());
        }
        assertEquals(canonical(list), field, "written in the canonical form");
        return items;
    }

    /**
     * RFC 9651's serialisation of a list of strings with integer and decimal parameters (section 4.1). Not the
     * parser's own {@code serialize()}: version 0.4 writes 2.001 as 2.1, though it reads 2.001 right.
     */
    private static String canonical(List<ListElement<?>> list) {
        StringBuilder out = new StringBuilder();
        for (ListElement<?> element : list) {
            if (out.length() > 0) {
                out.append(", ");
            }
            String name = ((StringItem) element).get();
            out.append('"').append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            for (Map.Entry<String, Item<?>> p : ((StringItem) element).getParams().entrySet()) {
                out.append(';').append(p.getKey()).append('=');
                if (p.getValue() instanceof DecimalItem d) {
                    java.math.BigDecimal v = d.get().setScale(3, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
                    out.append((v.scale() < 1 ? v.setScale(1) : v).toPlainString());
                } else {
                    out.append(p.getValue().get());
                }
            }
        }
        return out.toString();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            # name                         | sf-string                      | read back
            premium                        | "premium"                      | premium
            premium-/pets/{petId}/GET      | "premium-/pets/{petId}/GET"    | premium-/pets/{petId}/GET
            we "say" hi                    | "we \\"say\\" hi"              | we "say" hi
            back\\slash                    | "back\\\\slash"                | back\\slash
            \\"                            | "\\\\\\""                      | \\"
            ` spaces kept `                | " spaces kept "                | ` spaces kept `
            ~!#$%&'()*+,-./:;<=>?@[]^_{}   | "~!#$%&'()*+,-./:;<=>?@[]^_{}" | ~!#$%&'()*+,-./:;<=>?@[]^_{}
            """)
    void aNameIsQuotedAsAnSfStringThatReadsBackAsWritten(String name, String quoted, String readBack) {
        String value = RateLimitFields.quote(name);

        assertEquals(quoted, value);
        assertEquals(readBack, Parser.parseItem(value).get());
    }

    @ParameterizedTest(name = "[{index}] U+{0}")
    @CsvSource(textBlock = """
            0009
            000A
            000D
            0000
            007F
            00E9
            20AC
            """)
    void charactersAnSfStringCannotHoldAreDroppedSoTheFieldStaysValid(String codePoint) {
        String name = "a" + Character.toString(Integer.parseInt(codePoint, 16)) + "b";

        String value = RateLimitFields.quote(name);

        assertEquals("\"ab\"", value);
        assertEquals("ab", Parser.parseItem(value).get());
    }

    @ParameterizedTest(name = "rate {0}, burst {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # rate       | burst       | parameters
            20           | 40          | ;up-burst=40;up-rate=20.0
            1            | 1           | ;up-burst=1;up-rate=1.0
            0.5          | 10          | ;up-burst=10;up-rate=0.5
            0.3333333333 | 1           | ;up-burst=1;up-rate=0.333
            2.0005       | 3           | ;up-burst=3;up-rate=2.001
            1.25         | 2147483647  | ;up-burst=2147483647;up-rate=1.25
            100000       | 100000      | ;up-burst=100000;up-rate=100000.0
            999999999999 | 5           | ;up-burst=5;up-rate=999999999999.0
            """)
    void aBucketsShapeIsAnIntegerBurstAndADecimalRateWithAtMostThreeDecimals(double rate, int burst, String parameters) {
        String value = RateLimitFields.shape(Throttle.rateLimit(rate).burstLimit(burst));

        assertEquals(parameters, value);
        assertEquals(List.of("x up-burst=" + burst + " up-rate=" + parameters.substring(parameters.lastIndexOf('=') + 1)
                .replaceAll("\\.0$", "") + "d"), read("\"x\"" + value));
    }

    @ParameterizedTest(name = "{0} ns -> t={1}")
    @CsvSource(textBlock = """
            -5, 0
            0, 0
            1, 1
            50000000, 1
            999999999, 1
            1000000000, 1
            1000000001, 2
            9223372036854775807, 9223372037
            """)
    void secondsUntilFullAreRoundedUpAndNeverNegative(long nanos, long seconds) {
        assertEquals(seconds, RateLimitFields.ceilSeconds(nanos));
    }

    private static final String KEY = "rate-limit-fields-key-0123456789";

    static Stream<Arguments> decisions() {
        String premium = """
                plans:
                  - name: premium
                    throttle: { rateLimit: 20, burstLimit: 40 }
                    quota: { limit: 1000, period: DAY }
                    apiStages:
                      - stage: test
                        throttle:
                          "/pets/{petId}/GET": { rateLimit: 1, burstLimit: 3 }
                          "/pets/{petId}/toys/GET": { rateLimit: 2, burstLimit: 4, bucket: reads }
                          "/pets/{petId}/food/GET": { rateLimit: 2, burstLimit: 4, bucket: reads }
                apiKeys:
                  - name: customer
                    value: %s
                    plans: [premium]
                """.formatted(KEY);
        String odd = """
                plans:
                  - name: 'we "say" \\ hi'
                    throttle: { rateLimit: 0.5, burstLimit: 1 }
                    apiStages:
                      - stage: test
                apiKeys:
                  - name: customer
                    value: %s
                    plans: ['we "say" \\ hi']
                """.formatted(KEY);
        String quotaOnly = """
                plans:
                  - name: monthly
                    quota: { limit: 5000, period: MONTH }
                    apiStages:
                      - stage: test
                        throttle:
                          "/{proxy+}/*": { rateLimit: 3, burstLimit: 1 }
                apiKeys:
                  - name: customer
                    value: %s
                    plans: [monthly]
                """.formatted(KEY);
        String shaped = "responses:\n  bucketShape: true\n";
        return Stream.of(
                Arguments.of("method, burst and quota", premium, "/pets/7",
                        List.of("premium-/pets/{petId}/GET q=3 w=3", "premium-burst q=40 w=2", "premium-day q=1000 w=86400"),
                        List.of("premium-/pets/{petId}/GET r=2 t=1", "premium-burst r=39 t=1", "premium-day r=999 t=50400")),
                Arguments.of("a shared bucket is named by its bucket", premium, "/pets/7/food",
                        List.of("premium-reads q=4 w=2", "premium-burst q=40 w=2", "premium-day q=1000 w=86400"),
                        List.of("premium-reads r=3 t=1", "premium-burst r=39 t=1", "premium-day r=999 t=50400")),
                Arguments.of("no method throttle", premium, "/owners",
                        List.of("premium-burst q=40 w=2", "premium-day q=1000 w=86400"),
                        List.of("premium-burst r=39 t=1", "premium-day r=999 t=50400")),
                Arguments.of("the bucket's shape on every throttle", shaped + premium, "/pets/7",
                        List.of("premium-/pets/{petId}/GET q=3 w=3 up-burst=3 up-rate=1d",
                                "premium-burst q=40 w=2 up-burst=40 up-rate=20d", "premium-day q=1000 w=86400"),
                        List.of("premium-/pets/{petId}/GET r=2 t=1", "premium-burst r=39 t=1", "premium-day r=999 t=50400")),
                Arguments.of("a plan name with a quote and a backslash", odd, "/anything",
                        List.of("we \"say\" \\ hi-burst q=1 w=2"),
                        List.of("we \"say\" \\ hi-burst r=0 t=2")),
                Arguments.of("the same, with its shape", shaped + odd, "/anything",
                        List.of("we \"say\" \\ hi-burst q=1 w=2 up-burst=1 up-rate=0.5d"),
                        List.of("we \"say\" \\ hi-burst r=0 t=2")),
                Arguments.of("a month's quota and a method throttle, no plan throttle", quotaOnly, "/a/b",
                        List.of("monthly-/{proxy+}/* q=1 w=1", "monthly-month q=5000 w=2678400"),
                        List.of("monthly-/{proxy+}/* r=0 t=1", "monthly-month r=4999 t=2556000")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void aDecisionsRateLimitFieldsAreValidStructuredFieldListsMostSpecificPolicyFirst(String what, String planFile, String path,
                                                                                      List<String> policy, List<String> limit) {
        MutableClock clock = MutableClock.at("2026-03-02T10:00:00Z");
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(planFile, "plans.yaml")).stage("test").clock(clock)
                .discoverListeners(false).build()) {
            Decision decision = engine.decide(KEY, "GET", path);

            assertEquals(Decision.Outcome.ALLOWED, decision.outcome());
            assertEquals(List.of(policy, limit), List.of(read(decision.rateLimitPolicy()), read(decision.rateLimit())));
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # key presented                      | outcome
            ''                                   | FORBIDDEN
            unknown-key-0123456789abcdef         | FORBIDDEN
            """)
    void aRequestNoPlanWasAskedForCarriesNoRateLimitFields(String key, Decision.Outcome outcome) {
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse("""
                plans:
                  - name: basic
                    throttle: { rateLimit: 1, burstLimit: 1 }
                    apiStages:
                      - stage: test
                """, "plans.yaml")).stage("test").discoverListeners(false).build()) {
            Decision decision = engine.decide(key, "GET", "/pets");

            assertEquals(outcome, decision.outcome());
            assertNull(decision.rateLimitPolicy());
            assertNull(decision.rateLimit());
        }
    }
}
