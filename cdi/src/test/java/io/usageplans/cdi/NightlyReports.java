package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.ApplicationScoped;

/** One of two beans that inherit {@link ScheduledReports#run}. */
@ApplicationScoped
@UsagePlan
public class NightlyReports extends ScheduledReports {
}
