package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bad annotations stop the deployment before the application takes traffic, each named with class, method and value. */
class DeploymentValidationTest {

    @Test
    void everyBadAnnotationFailsTheDeploymentNamingClassMethodAndValue() {
        String previous = System.clearProperty("usageplans.test.exclude-bad");
        try {
            Exception e = assertThrows(Exception.class, () -> CdiServer.start(PetsResource.class).close());
            String all = messages(e);
            assertTrue(all.contains("usage-plans: io.usageplans.cdi.bad.BadResource#unknownPlan: @UsagePlan: unknown plan 'gold'; "
                    + "the plan file defines [basic, dev, premium]"), all);
            assertTrue(all.contains("usage-plans: io.usageplans.cdi.bad.BadResource#zeroRate: @MethodThrottle.rate: rate must be "
                    + "a number of requests per second greater than 0, was 0"), all);
            assertTrue(all.contains("usage-plans: io.usageplans.cdi.bad.BadBean#zeroBurst: @MethodThrottle.burst: burst must be "
                    + "a whole number of requests of at least 1, was 0"), all);
            assertTrue(all.contains("usage-plans: io.usageplans.cdi.bad.BadBean#strayOptOut: @Unmetered: @Unmetered opts a method "
                    + "out of its class's @UsagePlan, but io.usageplans.cdi.bad.BadBean has no @UsagePlan"), all);
        } finally {
            if (previous != null) {
                System.setProperty("usageplans.test.exclude-bad", previous);
            }
        }
    }

    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(s).append('\n');
            }
        }
        return all.toString();
    }
}
