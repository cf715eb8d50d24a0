package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.ApplicationScoped;

/** The other of two beans that inherit {@link ScheduledReports#run}. */
@ApplicationScoped
@UsagePlan
public class WeeklyReports extends ScheduledReports {
}
