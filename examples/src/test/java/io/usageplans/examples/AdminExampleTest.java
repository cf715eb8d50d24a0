package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import io.usageplans.testing.OneUtcDay;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example's admin API and dashboard, as the README's curl lines use them, with the demo token. */
class AdminExampleTest {

    private static PetStoreApp app;

    @BeforeAll
    static void start() throws Exception {
        app = PetStoreApp.start(0);
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    private HttpResponse<String> get(String path, String header, String value) throws Exception {
        return Http.get("http://localhost:" + app.port() + "/test" + path).header(header, value).send();
    }

    @Test
    void theUsageReportCountsTheDemoKeysRequestsWithTheDemoToken() throws Exception {
        OneUtcDay.run(() -> {
            assertEquals(200, get("/pets", "x-api-key", "demo-dev-key-0123456789").statusCode());
            assertEquals(200, get("/pets", "x-api-key", "demo-dev-key-0123456789").statusCode());
            String today = OneUtcDay.today().toString();

            HttpResponse<String> report = get("/usage-plans/admin/usageplans/dev/usage?startDate=" + today + "&endDate=" + today,
                    "Authorization", "Bearer " + PetStoreApp.DEMO_ADMIN_TOKEN);

            assertEquals(200, report.statusCode(), report.body());
            assertEquals("{\"usagePlanId\":\"dev\",\"startDate\":\"" + today + "\",\"endDate\":\"" + today
                    + "\",\"items\":{\"dev-team\":[[2,null]]}}", report.body());
        }, () -> { // a fresh application counts from 0 on the new day
            app.stop();
            app = PetStoreApp.start(0);
        });
        assertEquals(401, get("/usage-plans/admin/apikeys", null, null).statusCode());
    }

    @Test
    void theDashboardIsServedNextToTheApi() throws Exception {
        HttpResponse<String> page = get("/usage-plans/", null, null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("data-api=\"/test/usage-plans/admin\""), page.body());
        assertEquals(200, get("/usage-plans/dashboard.js", null, null).statusCode());
        assertEquals(200, get("/health", null, null).statusCode(), "the app's own root application still answers");
    }
}
