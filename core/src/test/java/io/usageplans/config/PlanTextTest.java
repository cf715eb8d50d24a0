package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.usageplans.Alerts;
import io.usageplans.ApiStage;
import io.usageplans.FailMode;
import io.usageplans.MethodSettings;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;
import org.junit.jupiter.api.Test;

/** Plans written as JSON in the plan file's format read back equal, through the plan file's own reader. */
class PlanTextTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyPlanOfEveryPlanFileInTheRepositoryRoundTripsEqual() throws IOException {
        List<String> sources = new ArrayList<>();
        int plans = 0;
        for (PlanSource file : planFiles()) {
            List<Plan> read;
            try {
                read = file.path == null ? PlanFile.parse(file.text, file.name).plans() : PlanFile.load(file.path).plans();
            } catch (UsagePlansConfigException e) {
                continue; // a test's deliberately broken file, or a fragment with placeholders
            }
            String json = PlanText.write(read);
            assertEquals(read, PlanText.read(json, file.name), () -> file.name + " as JSON:\n" + json);
            assertEquals(json, PlanText.write(PlanText.read(json, file.name)), file.name);
            sources.add(file.name);
            plans += read.size();
        }
        // the repository's plan files (examples, tests' resources) and the plan files written into tests and docs
        assertTrue(sources.contains("examples/src/main/resources/usage-plans.yaml"), sources::toString);
        assertTrue(sources.size() >= 50, () -> sources.size() + " files: " + sources);
        int total = plans;
        System.out.println("PlanTextTest: " + sources.size() + " plan files, " + total + " plans round-tripped");
        assertTrue(total >= 80, () -> total + " plans");
    }

    @Test
    void aPlanWithEveryFieldRoundTripsEqual() {
        Plan full = Plan.builder("gold \"première\" \\ line\nbreak")
                .description("Für alle: \u00e9t\u00e9 \ud83d\ude80, tab\there, <html> & 'quotes'")
                .throttle(Throttle.rateLimit(0.001).burstLimit(Integer.MAX_VALUE))
                .throttleCountStatuses(StatusSet.parse(List.of("2xx", "401", "400-403")))
                .quota(new Quota(Long.MAX_VALUE, QuotaPeriod.MONTH, 27, ZoneId.of("Europe/Berlin")))
                .quotaCountStatuses(StatusSet.parse("2xx"))
                .stage(ApiStage.of("prod")
                        .withMethod("/pets/{petId}/GET", new MethodSettings(Throttle.rateLimit(2.5).burstLimit(5), 2, "reads",
                                StatusSet.parse("2xx,3xx")))
                        .withMethod("/pets/{id: \\d+}/DELETE", new MethodSettings(null, 7, null))
                        .withMethod("//POST", MethodSettings.of(Throttle.rateLimit(999_999_999_999d).burstLimit(1)))
                        .withMethod("*/*", new MethodSettings(Throttle.rateLimit(1e-3).burstLimit(3), 1, null,
                                StatusSet.parse(List.of()))))
                .stage("test")
                .failMode(FailMode.OPEN)
                .enabled(false)
                .shadow(true)
                .alerts(Alerts.quota(100, 50, 80).withFirstThrottle())
                .build();
        Plan week = Plan.builder("weekly").quota(Quota.limit(1).period(QuotaPeriod.WEEK).withOffset(6)
                .withTimeZone(ZoneOffset.ofHours(-5))).alerts(Alerts.NONE.withFirstThrottle()).stage("prod").build();
        Plan bare = Plan.builder("bare").build();
        Plan utc = Plan.builder("utc").quota(Quota.limit(10).period(QuotaPeriod.DAY).withTimeZone(ZoneId.of("UTC")))
                .throttle(Throttle.rateLimit(1234.5678).burstLimit(10)).stage("prod").build();
        List<Plan> plans = List.of(full, week, bare, utc);

        String json = PlanText.write(plans);
        List<Plan> read = PlanText.read(json, "hand-made");

        assertEquals(plans, read, json);
        assertEquals(List.of("gold \"première\" \\ line\nbreak", "weekly", "bare", "utc"), read.stream().map(Plan::name).toList());
        assertTrue(json.chars().allMatch(c -> c < 0x7f), "ASCII only: " + json);
        assertEquals(ZoneId.of("UTC"), read.get(3).quota().timeZone());
        assertEquals("/pets/{id: \\d+}/DELETE", read.get(0).stage("prod").orElseThrow().methods().keySet().stream()
                .skip(1).findFirst().orElseThrow().resourcePath() + "/DELETE");
    }

    @Test
    void theTextOfAPlanKeepsItsBytesSoThatADigestAClusterStoredStillMatches() {
        Plan plan = Plan.builder("a<b>&\"c\"\\ caf\u00e9\u2028\n\u0001\u007f \ud83d\ude42 \ud800")
                .description("Tom & Jerry <b>\t</b>").stage("prod").build();

        String json = PlanText.write(List.of(plan));

        assertEquals("{\"plans\":[\n{\"name\":\"a<b>&\\\"c\\\"\\\\ caf\\u00e9\\u2028\\n\\u0001\\u007f \\ud83d\\ude42 "
                + "\\ud800\",\"description\":\"Tom & Jerry <b>\\t</b>\",\"apiStages\":[{\"stage\":\"prod\"}],"
                + "\"failMode\":\"CLOSED\",\"enabled\":true,\"shadow\":false}\n]}\n", json);
        assertEquals("61af76150d14db9bdaf729766a2a80c528fa546bcc4c4663743a3eaa10424f6c", PlanText.sha256(json));
    }

    @Test
    void changingAnyLimitChangesTheTextAndThePlan() {
        Plan plan = Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(5)).stage("prod").build();
        Plan wider = Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(50)).stage("prod").build();
        assertNotEquals(PlanText.write(List.of(plan)), PlanText.write(List.of(wider)));
        assertEquals(50, PlanText.read(PlanText.write(List.of(wider)), "x").get(0).throttle().burstLimit());
        assertEquals(PlanText.sha256(PlanText.write(List.of(plan))), PlanText.sha256(PlanText.write(List.of(plan))));
        assertEquals(64, PlanText.sha256("").length());
    }

    @Test
    void noPlansIsAnEmptyListBothWays() {
        assertEquals("{\"plans\":[]}\n", PlanText.write(List.of()));
        assertEquals(List.of(), PlanText.read(PlanText.write(List.of()), "empty"));
    }

    @Test
    void badTextFailsLikeAPlanFileNamingSourceLineEntryAndValue() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanText.read("""
                {"plans":[
                {"name":"basic","throttle":{"rateLimit":10,"burstLimit":0}}
                ]}
                """, "cluster plans revision 4"));
        assertEquals("usage-plans: cluster plans revision 4/plans.json, line 2: plans[basic].throttle.burstLimit: must be a "
                + "whole number of requests of at least 1, was 0", e.getMessage());
        UsagePlansConfigException newer = assertThrows(UsagePlansConfigException.class, () -> PlanText.read(
                "{\"plans\":[{\"name\":\"basic\",\"burstPolicy\":\"x\"}]}", "shared.json"));
        assertTrue(newer.getMessage().contains("burstPolicy"), newer.getMessage());
        assertThrows(UsagePlansConfigException.class, () -> PlanText.read("not json", "x"));
    }

    /** A plan file: on disk, or text from a test's text block or a document's yaml block. */
    private record PlanSource(String name, Path path, String text) {
    }

    private static final Pattern TEXT_BLOCK = Pattern.compile("\"\"\"\\n(.*?)\"\"\"", Pattern.DOTALL);
    private static final Pattern YAML_BLOCK = Pattern.compile("```ya?ml\\n(.*?)```", Pattern.DOTALL);

    private static List<PlanSource> planFiles() throws IOException {
        List<PlanSource> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(REPO)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = REPO.relativize(file).toString().replace('\\', '/');
                if (relative.contains("/target/") || relative.startsWith(".") || relative.contains("/node_modules/")) {
                    continue;
                }
                String name = file.getFileName().toString();
                if ((name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) && relative.contains("/src/")) {
                    String text = Files.readString(file);
                    if (text.contains("plans")) {
                        found.add(new PlanSource(relative, file, null));
                    }
                } else if (name.endsWith(".java") && relative.contains("/src/test/")) {
                    blocks(found, relative, Files.readString(file), TEXT_BLOCK, true);
                } else if (name.endsWith(".md")) {
                    blocks(found, relative, Files.readString(file), YAML_BLOCK, false);
                }
            }
        }
        return found;
    }

    private static void blocks(List<PlanSource> found, String file, String text, Pattern pattern, boolean textBlock) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            String block = m.group(1);
            if (!block.contains("plans:") && !block.contains("\"plans\"")) {
                continue;
            }
            if (textBlock) {
                block = block.stripIndent().translateEscapes();
            }
            boolean json = block.strip().startsWith("{");
            found.add(new PlanSource(file + "#" + (++n) + (json ? ".json" : ".yaml"), null, block));
        }
    }
}
