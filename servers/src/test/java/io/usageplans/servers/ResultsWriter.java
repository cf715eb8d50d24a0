package io.usageplans.servers;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** Writes the results table when the test run ends (registered in META-INF/services). */
public final class ResultsWriter implements TestExecutionListener {

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        Results.write();
    }
}
