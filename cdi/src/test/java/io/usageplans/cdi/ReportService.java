package io.usageplans.cdi;

import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.ApplicationScoped;

/** A bean whose methods are metered wherever they are called from. */
@ApplicationScoped
public class ReportService {

    @UsagePlan
    public String daily() {
        return "{\"report\":\"daily\"}";
    }

    @UsagePlan("premium")
    @MethodThrottle(rate = 1, burst = 2)
    public String expensive() {
        return "{\"report\":\"expensive\"}";
    }

    /** A report that fails: with countStatuses, a call that throws counts as a 500. */
    @UsagePlan
    public String broken() {
        throw new IllegalStateException("the report failed");
    }

    public String free() {
        return "{\"report\":\"free\"}";
    }
}
