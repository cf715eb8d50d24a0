package io.usageplans.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.usageplans.Decision;
import io.usageplans.MethodKey;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.PlanFile;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.testing.MutableClock;

/**
 * The route table, driven through the engine as adapters drive it: which route a request lands on (most specific
 * first, as JAX-RS orders templates), the plan file winning over annotations, unmetered routes, what is metered with
 * and without annotations, shared buckets and costs that could never pass.
 */
class RouteTableTablesTest {

    private static final String BASIC_KEY = "route-table-basic-key-0123456789";
    private static final String PREMIUM_KEY = "route-table-premium-key-0123456789";

    private static final String KEYS = """
            apiKeys:
              - name: basic-customer
                value: %s
                plans: [basic]
              - name: premium-customer
                value: %s
                plans: [premium]
            """.formatted(BASIC_KEY, PREMIUM_KEY);

    /** Method entries written least specific first, so that only sorting can put them in order. */
    private static final String ORDERED = """
            plans:
              - name: basic
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "/{proxy+}/GET": { rateLimit: 1, burstLimit: 6 }
                      "/pets/GET": { rateLimit: 1, burstLimit: 5 }
                      "/pets/{petId}/*": { rateLimit: 1, burstLimit: 4 }
                      "/pets/{petId}/GET": { rateLimit: 1, burstLimit: 3 }
                      "/pets/mine/GET": { rateLimit: 1, burstLimit: 2 }
                      "/files/{name}/GET": { rateLimit: 1, burstLimit: 8 }
                      "/files/{name}.json/GET": { rateLimit: 1, burstLimit: 7 }
              - name: premium
                apiStages:
                  - stage: test
            """ + KEYS;

    private final List<UsagePlans> engines = new ArrayList<>();
    private final MutableClock clock = MutableClock.at("2026-03-02T10:00:00Z");

    @AfterEach
    void close() {
        engines.forEach(UsagePlans::close);
    }

    private UsagePlans engine(String planFile, List<RouteDefinition> routes) {
        UsagePlans engine = UsagePlans.builder(PlanFile.parse(planFile, "plans.yaml")).stage("test").clock(clock)
                .routes(routes).discoverListeners(false).build();
        engines.add(engine);
        return engine;
    }

    /** One plan, {@code p}, with a plan throttle of rate 10 and a daily quota. */
    private static String singlePlan(int planBurst, int quota) {
        return """
                plans:
                  - name: p
                    throttle: { rateLimit: 10, burstLimit: %d }
                    quota: { limit: %d, period: DAY }
                    apiStages:
                      - stage: test
                """.formatted(planBurst, quota);
    }

    private static RouteDefinition route(String id, String key, Set<String> plans, Throttle throttle, int cost, String bucket) {
        return new RouteDefinition(id, key == null ? null : MethodKey.parse(key), plans, throttle, Set.of(), false, id, cost, bucket);
    }

    private static RouteDefinition unmetered(String id, String key) {
        return new RouteDefinition(id, MethodKey.parse(key), Set.of(), null, Set.of(), true, id);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            # method | path           | method throttle that applies
            GET      | /pets/mine     | /pets/mine/GET
            GET      | /pets/mine/    | /pets/mine/GET
            GET      | /pets/7        | /pets/{petId}/GET
            DELETE   | /pets/7        | /pets/{petId}/*
            GET      | /pets          | /pets/GET
            GET      | /pets/7/toys   | /{proxy+}/GET
            GET      | /files/a.json  | /files/{name}.json/GET
            GET      | /files/a.xml   | /files/{name}/GET
            GET      | /files         | /{proxy+}/GET
            POST     | /pets          | none
            GET      | /              | none
            """)
    void aRequestGetsTheMostSpecificMethodThrottleWhateverTheOrderOfThePlanFile(String method, String path, String expected) {
        Decision decision = engine(ORDERED, List.of()).decide(BASIC_KEY, method, path);

        assertEquals(Decision.Outcome.ALLOWED, decision.outcome());
        assertEquals(expected, decision.methodKey());
    }

    /** A catch-all, a regex variable and a plain variable with any method, written least specific first. */
    private static final String REGEX_AND_CATCH_ALL = """
            plans:
              - name: basic
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "*/*": { rateLimit: 1, burstLimit: 9 }
                      "/codes/{name}/*": { rateLimit: 1, burstLimit: 8 }
                      "/codes/{code: [0-9]+}/GET": { rateLimit: 1, burstLimit: 7 }
                      "/codes/{code: [0-9]+}/{rest: .+}/GET": { rateLimit: 1, burstLimit: 6 }
              - name: premium
                apiStages:
                  - stage: test
            """ + KEYS;

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # method | path             | method throttle that applies
            GET      | /codes/42        | /codes/{code}/GET
            GET      | /codes/abc       | /codes/{name}/*
            POST     | /codes/42        | /codes/{name}/*
            GET      | /codes/42/a/b    | /codes/{code}/{rest}/GET
            GET      | /codes/abc/a     | */*
            DELETE   | /                | */*
            PATCH    | /anything/at/all | */*
            """)
    void aRegexVariableOutranksAPlainOneAndTheCatchAllTakesWhatNothingElseMatches(String method, String path,
                                                                                 String expected) {
        Decision decision = engine(REGEX_AND_CATCH_ALL, List.of()).decide(BASIC_KEY, method, path);

        assertEquals(Decision.Outcome.ALLOWED, decision.outcome());
        assertEquals(expected, decision.methodKey());
    }

    /** Basic's plan file entry names the annotated method (another variable name, no regex); premium has none. */
    private static final String PLAN_FILE_AND_ANNOTATION = """
            plans:
              - name: basic
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "/pets/{petId}/GET": { rateLimit: 3, burstLimit: 3 }
              - name: premium
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
            """ + KEYS;

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # key     | method throttle    | RateLimit-Policy                                                       | RateLimit after one call
            basic     | /pets/{petId}/GET  | "basic-/pets/{petId}/GET";q=3;w=1, "basic-day";q=1000;w=86400         | "basic-/pets/{petId}/GET";r=2;t=1, "basic-day";r=999;t=50400
            premium   | /pets/{id}/GET     | "premium-/pets/{id}/GET";q=4;w=4, "premium-day";q=1000;w=86400        | "premium-/pets/{id}/GET";r=2;t=2, "premium-day";r=998;t=50400
            """)
    void thePlanFilesEntryWinsOverTheAnnotationForItsPlanAndTheAnnotationRulesTheOthers(String plan, String throttle,
                                                                                       String policy, String limit) {
        UsagePlans engine = engine(PLAN_FILE_AND_ANNOTATION, List.of(
                route("com.acme.Pets#get", "/pets/{id: \\d+}/GET", Set.of(), Throttle.rateLimit(1).burstLimit(4), 2, null)));

        Decision decision = engine.decide(plan.equals("basic") ? BASIC_KEY : PREMIUM_KEY, "GET", "/pets/7");

        assertEquals(List.of(Decision.Outcome.ALLOWED, throttle, policy, limit),
                List.of(decision.outcome(), decision.methodKey(), decision.rateLimitPolicy(), decision.rateLimit()));
    }

    @ParameterizedTest(name = "annotated={0}: {1} {2} with key {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            # annotations | method | path          | key      | outcome
            false         | GET    | /anything     | none     | FORBIDDEN
            false         | GET    | /anything     | basic    | ALLOWED
            false         | POST   | /pets/7       | premium  | ALLOWED
            true          | GET    | /anything     | none     | NOT_METERED
            true          | GET    | /anything     | basic    | NOT_METERED
            true          | GET    | /reports/1    | none     | FORBIDDEN
            true          | GET    | /reports/1    | basic    | FORBIDDEN
            true          | GET    | /reports/1    | premium  | ALLOWED
            true          | POST   | /reports/1    | premium  | NOT_METERED
            true          | GET    | /health       | none     | NOT_METERED
            true          | GET    | /health/      | none     | NOT_METERED
            true          | GET    | /pets/7       | none     | FORBIDDEN
            true          | GET    | /pets/7       | basic    | ALLOWED
            true          | GET    | /pets/mine    | none     | NOT_METERED
            """)
    void withoutAnnotationsEveryRequestNeedsAKeyAndWithThemOnlyAnnotatedAndPlanFileMethodsDo(
            boolean annotations, String method, String path, String key, Decision.Outcome outcome) {
        String planFile = """
                plans:
                  - name: basic
                    apiStages:
                      - stage: test
                        throttle:
                          "/pets/{petId}/GET": { rateLimit: 3, burstLimit: 3 }
                  - name: premium
                    apiStages:
                      - stage: test
                """ + KEYS;
        List<RouteDefinition> routes = annotations ? List.of(
                route("com.acme.Reports#get", "/reports/{id}/GET", Set.of("premium"), null, 1, null),
                unmetered("com.acme.Health#get", "/health/GET"),
                unmetered("com.acme.Pets#mine", "/pets/mine/GET")) : List.of();

        Decision decision = engine(planFile, routes).decide(key == null ? null : key.equals("basic") ? BASIC_KEY : PREMIUM_KEY,
                method, path);

        assertEquals(outcome, decision.outcome());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # route id                 | outcome without a key
            com.acme.Jobs#run          | FORBIDDEN
            com.acme.Jobs#cleanUp      | NOT_METERED
            """)
    void aBeanMethodsRouteIsFoundByItsIdAndAnUnmeteredOneNeedsNoKey(String id, Decision.Outcome outcome) {
        UsagePlans engine = engine(ORDERED, List.of(route("com.acme.Jobs#run", null, Set.of(), null, 1, null),
                new RouteDefinition("com.acme.Jobs#cleanUp", null, Set.of(), null, Set.of(), true, "com.acme.Jobs#cleanUp")));

        assertEquals(outcome, engine.decideRoute(null, id).outcome());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # calls, in order             | outcomes
            /a /b /a                      | ALLOWED ALLOWED THROTTLED
            /b /b /a                      | ALLOWED ALLOWED THROTTLED
            /a /a /c /c /c                | ALLOWED ALLOWED ALLOWED ALLOWED THROTTLED
            """)
    void methodsNamingOneBucketShareItsTokensAndOthersKeepTheirOwn(String calls, String outcomes) {
        UsagePlans engine = engine(ORDERED, List.of(
                route("com.acme.A#a", "/a/GET", Set.of(), Throttle.rateLimit(0.001).burstLimit(2), 1, "shared"),
                route("com.acme.B#b", "/b/GET", Set.of(), Throttle.rateLimit(0.001).burstLimit(2), 1, "shared"),
                route("com.acme.C#c", "/c/GET", Set.of(), Throttle.rateLimit(0.001).burstLimit(2), 1, null)));

        List<String> seen = new ArrayList<>();
        for (String path : calls.split(" ")) {
            seen.add(engine.decide(PREMIUM_KEY, "GET", path).outcome().name());
        }
        assertEquals(outcomes, String.join(" ", seen));
    }

    @ParameterizedTest(name = "{0}/{1} then {2}/{3}")
    @CsvSource(delimiter = '|', textBlock = """
            # rate A | burst A | rate B | burst B
            1        | 2       | 2      | 4
            1        | 2       | 1      | 3
            1        | 2       | 2      | 2
            0.5      | 10      | 0.25   | 10
            """)
    void oneBucketWithTwoShapesStopsStartUpNamingBothMethods(double rateA, int burstA, double rateB, int burstB) {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> engine(singlePlan(100, 1000),
                List.of(route("com.acme.A#a", "/a/GET", Set.of(), Throttle.rateLimit(rateA).burstLimit(burstA), 1, "shared"),
                        route("com.acme.B#b", "/b/GET", Set.of(), Throttle.rateLimit(rateB).burstLimit(burstB), 1, "shared"))));

        assertEquals("usage-plans: com.acme.B#b: bucket: bucket 'shared' of plan p is rate " + rateB + ", burst " + burstB
                + " here but rate " + rateA + ", burst " + burstA + " on com.acme.A#a; a shared bucket has one shape", e.getMessage());
    }

    @ParameterizedTest(name = "cost {0}, method burst {1}, plan burst {2}, quota {3}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            # cost | method burst | plan burst | quota | problem
            1      | 1            | 1          | 1     | none
            2      | 2            | 2          | 2     | none
            3      | 2            | 10         | 100   | the method throttle's burst of 2 for plan p
            3      | 2            | 2          | 2     | the method throttle's burst of 2 for plan p
            11     | none         | 10         | 100   | plan p's burstLimit of 10
            11     | 20           | 10         | 100   | plan p's burstLimit of 10
            50     | none         | 100        | 40    | plan p's quota limit of 40
            50     | 50           | 50         | 49    | plan p's quota limit of 49
            50     | 50           | 50         | 50    | none
            """)
    void aCostNoRequestCouldPayStopsStartUpNamingTheSmallestLimitThatRefusesIt(int cost, Integer methodBurst, int planBurst,
                                                                              int quota, String limit) {
        String planFile = singlePlan(planBurst, quota);
        List<RouteDefinition> routes = List.of(route("com.acme.Export#run", "/export/GET", Set.of(),
                methodBurst == null ? null : Throttle.rateLimit(1).burstLimit(methodBurst), cost, null));

        if (limit == null) {
            assertEquals(Decision.Outcome.FORBIDDEN, engine(planFile, routes).decide(null, "GET", "/export").outcome());
            return;
        }
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> engine(planFile, routes));
        assertEquals("usage-plans: com.acme.Export#run: cost: a cost of " + cost + " is more than " + limit
                + ", so such a request could never pass; lower the cost or raise the limit", e.getMessage());
    }
}
