package io.usageplans.cdi.bad;

import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.Unmetered;
import jakarta.enterprise.context.ApplicationScoped;

/** Deployed only by the test that expects these annotations to fail the deployment. */
@ApplicationScoped
public class BadBean {

    @Unmetered
    public void strayOptOut() {
    }

    @MethodThrottle(rate = 1, burst = 0)
    public void zeroBurst() {
    }
}
