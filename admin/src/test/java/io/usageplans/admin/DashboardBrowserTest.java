package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.BASIC_KEY;
import static io.usageplans.admin.AdminServer.DEV_KEY;
import static io.usageplans.admin.AdminServer.PREMIUM_KEY;
import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium): after a known sequence of requests it asks for the token, then shows the same numbers the API answers,
 * a key's 30-day chart on a click, and changes keys and quotas after a confirmation; with 10,000 keys it shows one
 * page, finds a key and disables it. Skipped when Chromium is missing, unless
 * {@code USAGEPLANS_REQUIRE_BROWSER=1} (CI) makes that a failure.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The chart's series colour, {@code #2563eb} in dashboard.js. */
    static final int SERIES_RGB = 0x2563eb;

    private final MutableClock clock = MutableClock.at("2026-11-20T12:00:00Z");
    private UsagePlans engine;
    private AdminServer server;
    private WebDriver browser;
    @TempDir
    Path downloads;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "no headless browser: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are needed (Debian: apt-get install chromium chromium-driver)";
            if ("1".equals(System.getenv("USAGEPLANS_REQUIRE_BROWSER"))) {
                fail(missing + "; USAGEPLANS_REQUIRE_BROWSER=1 makes this a failure");
            }
            Assumptions.abort(missing);
        }
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
        browser = newBrowser();
    }

    private static WebDriver newBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,2600", "--force-device-scale-factor=1", "--hide-scrollbars");
        // the driver is named, so Selenium Manager never looks for (or downloads) one
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    @Test
    void theDashboardShowsTheNumbersTheApiAnswersAKeysChartOnAClickAndChangesKeysAfterAConfirmation() throws Exception {
        // five days ago: 3 for basic; two days ago: 4 for premium
        spaced(BASIC_KEY, 3);
        clock.set(Instant.parse("2026-11-23T12:00:00Z"));
        spaced(PREMIUM_KEY, 4);
        // today: basic uses its 5, with one throttled and one over the quota; premium 7; dev 2; two without a usable key
        clock.set(Instant.parse("2026-11-25T09:00:00Z"));
        assertEquals(List.of(200, 200, 429), List.of(server.pets(BASIC_KEY).statusCode(), server.pets(BASIC_KEY).statusCode(),
                server.pets(BASIC_KEY).statusCode()));
        spaced(BASIC_KEY, 3);
        clock.advance(Duration.ofSeconds(2));
        assertEquals("{\"message\":\"Limit Exceeded\"}", server.pets(BASIC_KEY).body());
        for (int i = 0; i < 7; i++) {
            server.pets(PREMIUM_KEY);
        }
        server.pets(DEV_KEY);
        server.pets(DEV_KEY);
        assertEquals(403, server.pets(null).statusCode());
        assertEquals(403, server.pets("no-such-key-value-0123456789").statusCode());
        assertEquals(201, server.adminJson("POST", "apikeys", "{\"name\":\"idle-partner\",\"enabled\":false,"
                + "\"usagePlanIds\":[\"premium\"]}").statusCode());

        Map<String, Object> expectedRates = Map.of("allowed", 21, "throttled", 1, "quotaExceeded", 1, "wouldRefuse", 0);
        Await.until(() -> lastHour(), expectedRates::equals, Duration.ofSeconds(10), "this hour's requests sampled");

        browser.get(server.url("/usage-plans/"));
        WebDriverWait wait = wait(20);
        wait.until(d -> "signin".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        assertFalse(browser.findElement(By.id("content")).isDisplayed(), "no data before the token");
        browser.findElement(By.id("token")).sendKeys(AdminServer.TOKEN);
        browser.findElement(By.id("token-submit")).click();
        wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));

        assertEquals("stage test · LocalUsageStore · metering on · 2026-11-25 (UTC)", text(By.id("summary")));
        Map<String, Object> stats = json(server.admin("GET", "stats"));
        Map<String, Map<String, Object>> planStats = cast(stats.get("plans"));
        for (String plan : List.of("basic", "premium", "dev")) {
            for (String outcome : List.of("allowed", "throttled", "quotaExceeded", "forbidden")) {
                assertEquals(String.valueOf(planStats.get(plan).get(outcome)),
                        text(By.cssSelector("#plans tr[data-plan='" + plan + "'] td." + outcome)), plan + " " + outcome);
            }
        }
        assertEquals("8", text(By.cssSelector("#plans tr[data-plan='basic'] td.allowed")), "3 five days ago, 5 today");
        assertEquals("1/s, burst 2", text(By.cssSelector("#plans tr[data-plan='basic'] td.throttle")));
        assertEquals("5 per day", text(By.cssSelector("#plans tr[data-plan='basic'] td.quota")));
        assertEquals("none", text(By.cssSelector("#plans tr[data-plan='dev'] td.quota")));

        for (Object item : (List<?>) json(server.admin("GET", "apikeys")).get("items")) {
            Map<String, Object> key = cast(item);
            String row = "#keys tr[data-key='" + key.get("id") + "'] ";
            assertEquals(key.get("value"), text(By.cssSelector(row + "td.value")));
            assertEquals((Boolean) key.get("enabled") ? "enabled" : "disabled", text(By.cssSelector(row + "td.enabled, " + row + "td.disabled")));
        }
        assertEquals("1–4 of 4", text(By.id("key-range")));
        Map<String, Object> forbidden = cast(stats.get("forbidden"));
        assertEquals(String.valueOf(forbidden.get("missingKey")), text(By.cssSelector("#forbidden tr[data-reason='missingKey'] td.count")));
        assertEquals(String.valueOf(forbidden.get("unknownKey")), text(By.cssSelector("#forbidden tr[data-reason='unknownKey'] td.count")));

        // today's top of the first plan, then of premium
        assertEquals(List.of("1 basic-customer 5 0"), rows("#top"));
        new Select(browser.findElement(By.id("top-plan"))).selectByValue("premium");
        wait.until(d -> rows("#top").equals(List.of("1 premium-customer 7 93")));

        // the last hour, as the API counts it
        for (Map.Entry<String, Object> series : expectedRates.entrySet()) {
            assertEquals(String.valueOf(series.getValue()),
                    text(By.cssSelector("#rates-legend [data-series='" + series.getKey() + "'] .count")), series.getKey());
            assertEquals(1, browser.findElements(By.cssSelector("#rates polyline[data-series='" + series.getKey() + "']")).size());
        }

        // a key's 30 days only when asked for
        assertEquals(0, browser.findElements(By.cssSelector("figure.chart-box")).size(), "no chart before a click");
        browser.findElement(By.cssSelector("#keys tr[data-key='basic-customer'] button[data-action='chart']")).click();
        wait.until(d -> "basic-customer".equals(d.findElement(By.tagName("body")).getAttribute("data-chart")));
        assertEquals(1, browser.findElements(By.cssSelector("figure.chart-box")).size());
        Path screenshot = Path.of("target", "dashboard.png");
        Files.write(screenshot, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        int basicBars = seriesPixels(chart("basic", "basic-customer"));
        assertTrue(basicBars > 1000, "the basic key's chart has bars for 3 and 5 requests: " + basicBars + " pixels; see " + screenshot);
        browser.findElement(By.cssSelector("#keys tr[data-key='idle-partner'] button[data-action='chart']")).click();
        wait.until(d -> "idle-partner".equals(d.findElement(By.tagName("body")).getAttribute("data-chart")));
        assertEquals(0, seriesPixels(chart("premium", "idle-partner")), "a key without usage has no bars");

        // the basic key used its 5: extend it by 2 from the page (a prompt, then a confirmation), and it is served again
        clock.advance(Duration.ofSeconds(2));
        assertEquals(429, server.pets(BASIC_KEY).statusCode());
        browser.findElement(By.cssSelector("#keys tr[data-key='basic-customer'] button[data-action='extend']")).click();
        browser.switchTo().alert().sendKeys("2");
        browser.switchTo().alert().accept();
        assertTrue(browser.switchTo().alert().getText().startsWith("Add 2 requests to the quota of key basic-customer"));
        browser.switchTo().alert().accept();
        wait.until(d -> "done".equals(d.findElement(By.tagName("body")).getAttribute("data-action")));
        assertEquals("Key basic-customer on plan basic: 2 of 5 remain until 2026-11-26T00:00:00Z.", text(By.id("notice-text")));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(200, server.pets(BASIC_KEY).statusCode());

        // a dismissed confirmation changes nothing
        browser.findElement(By.cssSelector("#keys tr[data-key='dev-team'] button[data-action='rotate']")).click();
        browser.switchTo().alert().dismiss();
        assertEquals(200, server.pets(DEV_KEY).statusCode());

        // rotate: the new value is shown once and works at once (the old one keeps working for a day)
        browser.findElement(By.cssSelector("#keys tr[data-key='dev-team'] button[data-action='rotate']")).click();
        browser.switchTo().alert().accept();
        wait.until(d -> d.findElement(By.id("notice-value")).isDisplayed());
        String newValue = text(By.id("notice-value"));
        assertEquals(40, newValue.length());
        assertEquals(200, server.pets(newValue).statusCode());
        browser.findElement(By.id("notice-close")).click();
        assertFalse(browser.getPageSource().contains(newValue), "dismissed, the value is gone from the page");

        // the rates chart refreshes by itself (every 10 s): it comes to show the requests made since the page loaded
        Map<String, Object> now = cast(Await.until(() -> lastHour(), h -> ((Number) cast(h, Map.class).get("allowed")).intValue() >= 24,
                Duration.ofSeconds(10), "the requests since the page loaded sampled"));
        wait(25).until(d -> String.valueOf(now.get("allowed")).equals(
                text(By.cssSelector("#rates-legend [data-series='allowed'] .count"))));
        assertFalse(browser.getPageSource().contains(AdminServer.TOKEN), "the token is never written into the page");
    }

    @Test
    void withTenThousandKeysTheFirstPageLoadsSearchFindsAKeyAndDisablingItRefusesItsNextRequest() throws Exception {
        stop();
        engine = UsagePlans.builder(AdminServer.catalog(10_000)).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
        browser = newBrowser();
        clock.set(Instant.parse("2026-11-25T09:00:00Z"));
        assertEquals(200, server.pets(AdminServer.extraValue(7777)).statusCode());

        browser.get(server.url("/usage-plans/"));
        WebDriverWait wait = wait(30);
        wait.until(d -> "signin".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        browser.findElement(By.id("token")).sendKeys(AdminServer.TOKEN);
        long started = System.nanoTime();
        browser.findElement(By.id("token-submit")).click();
        wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        long firstPageMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("usage-plans dashboard: first page with 10,003 keys ready " + firstPageMillis
                + " ms after the token was submitted (headless Chromium, this machine)");
        assertEquals(ApiKeysResource.DEFAULT_PAGE, browser.findElements(By.cssSelector("#keys tbody tr")).size());
        assertEquals("1–50 of 10003", text(By.id("key-range")));
        assertEquals("basic-customer", text(By.cssSelector("#keys tbody tr:first-child td.name")));

        new Select(browser.findElement(By.id("top-plan"))).selectByValue("premium");
        wait.until(d -> rows("#top").equals(List.of("1 customer-07777 1 99")));
        long topStarted = System.nanoTime();
        assertEquals(200, server.admin("GET", "usageplans/premium/top").statusCode());
        System.out.println("usage-plans dashboard: top 20 of a plan with 10,001 keys in "
                + (System.nanoTime() - topStarted) / 1_000_000 + " ms (local store)");

        browser.findElement(By.id("key-next")).click();
        wait.until(d -> text(By.id("key-range")).equals("51–100 of 10003"));

        browser.findElement(By.id("key-search")).sendKeys("customer-07777");
        browser.findElement(By.id("key-search-submit")).click();
        wait.until(d -> text(By.id("key-range")).equals("1–1 of 1 matching"));
        assertEquals(List.of("customer-07777"), browser.findElements(By.cssSelector("#keys tbody tr")).stream()
                .map(r -> r.getAttribute("data-key")).toList());

        browser.findElement(By.cssSelector("#keys tr[data-key='customer-07777'] button[data-action='disable']")).click();
        assertEquals("Disable key customer-07777? Its next request will be refused with 403.", browser.switchTo().alert().getText());
        browser.switchTo().alert().accept();
        wait.until(d -> "done".equals(d.findElement(By.tagName("body")).getAttribute("data-action")));
        wait.until(d -> "disabled".equals(text(By.cssSelector("#keys tr[data-key='customer-07777'] td.disabled"))));
        HttpResponse<String> refused = server.pets(AdminServer.extraValue(7777));
        assertEquals(403, refused.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", refused.body());
        assertEquals(200, server.pets(AdminServer.extraValue(7778)).statusCode(), "only that key");
    }

    @Test
    void aPlansBurstChangedFromThePageShowsInTheNextRequestsHeaders() throws Exception {
        clock.set(Instant.parse("2026-11-25T09:00:00Z"));
        assertEquals("\"basic-burst\";q=2;w=2, \"basic-day\";q=5;w=86400",
                server.pets(BASIC_KEY).headers().firstValue("RateLimit-Policy").orElseThrow());
        browser.get(server.url("/usage-plans/"));
        WebDriverWait wait = wait(30);
        wait.until(d -> "signin".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        browser.findElement(By.id("token")).sendKeys(AdminServer.TOKEN);
        browser.findElement(By.id("token-submit")).click();
        wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        assertEquals("1", browser.findElement(By.cssSelector("#plan-limits tr[data-plan='basic'] input.rate")).getAttribute("value"));

        // a value the API refuses: its problem's detail is shown, and nothing changes
        WebElement burst = browser.findElement(By.cssSelector("#plan-limits tr[data-plan='basic'] input.burst"));
        burst.clear();
        burst.sendKeys("-1");
        browser.findElement(By.cssSelector("#plan-limits tr[data-plan='basic'] button[data-action='change-plan']")).click();
        browser.switchTo().alert().accept();
        wait.until(d -> "error".equals(d.findElement(By.tagName("body")).getAttribute("data-action")));
        assertEquals("Not done: patchOperations[0] (replace /throttle/burstLimit, value '-1'): the burst limit must be a whole "
                + "number from 1 to 2147483647, was '-1'", text(By.id("notice-text")));

        burst = browser.findElement(By.cssSelector("#plan-limits tr[data-plan='basic'] input.burst"));
        burst.clear();
        burst.sendKeys("50");
        browser.findElement(By.cssSelector("#plan-limits tr[data-plan='basic'] button[data-action='change-plan']")).click();
        assertEquals("Change plan basic: burst 2 → 50? The next request of its keys gets the new limits.",
                browser.switchTo().alert().getText());
        browser.switchTo().alert().accept();
        wait.until(d -> "done".equals(d.findElement(By.tagName("body")).getAttribute("data-action")));
        assertEquals("Plan basic now: 1/s, burst 50; 5 per day.", text(By.id("notice-text")));
        assertEquals("1/s, burst 50", text(By.cssSelector("#plans tr[data-plan='basic'] td.throttle")));

        HttpResponse<String> next = server.pets(BASIC_KEY);
        assertEquals(200, next.statusCode());
        assertEquals("\"basic-burst\";q=50;w=50, \"basic-day\";q=5;w=86400",
                next.headers().firstValue("RateLimit-Policy").orElseThrow());
    }

    @Test
    void theExportButtonsSaveThePlansUsageAsTheApiAnswersIt() throws Exception {
        // two days ago: 4 for premium; today: 3 for basic and 1 for premium
        clock.set(Instant.parse("2026-11-23T12:00:00Z"));
        spaced(PREMIUM_KEY, 4);
        clock.set(Instant.parse("2026-11-25T09:00:00Z"));
        spaced(BASIC_KEY, 3);
        spaced(PREMIUM_KEY, 1);
        ((ChromeDriver) browser).executeCdpCommand("Browser.setDownloadBehavior",
                Map.of("behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));

        browser.get(server.url("/usage-plans/"));
        WebDriverWait wait = wait(20);
        wait.until(d -> "signin".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        browser.findElement(By.id("token")).sendKeys(AdminServer.TOKEN);
        browser.findElement(By.id("token-submit")).click();
        wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        assertEquals("2026-10-27", browser.findElement(By.id("export-start")).getAttribute("value"), "the charts' 30 days");
        assertEquals("2026-11-25", browser.findElement(By.id("export-end")).getAttribute("value"));

        new Select(browser.findElement(By.id("export-plan"))).selectByValue("premium");
        browser.findElement(By.id("export-csv")).click();
        Path csv = downloaded(wait, "usage-premium-2026-10-27-2026-11-25.csv");
        String api = server.admin("GET", "usageplans/premium/usage/export?startDate=2026-10-27&endDate=2026-11-25&format=csv").body();
        assertEquals(api, Files.readString(csv), "the file is the API's CSV");
        assertTrue(api.startsWith("keyId,keyName,date,used,remaining\r\npremium-customer,premium-customer,2026-10-27,0,100\r\n"), api);
        assertTrue(api.contains("\r\npremium-customer,premium-customer,2026-11-23,4,96\r\n"), api);
        assertTrue(api.endsWith("\r\npremium-customer,premium-customer,2026-11-25,1,99\r\n"), api);
        assertEquals(31, api.split("\r\n").length, "a header and 30 days");

        // a shorter range as JSON, for the basic plan
        new Select(browser.findElement(By.id("export-plan"))).selectByValue("basic");
        ((ChromeDriver) browser).executeScript("document.getElementById('export-start').value = '2026-11-24';");
        browser.findElement(By.id("export-json")).click();
        Path json = downloaded(wait, "usage-basic-2026-11-24-2026-11-25.json");
        assertEquals("{\"usagePlanId\":\"basic\",\"startDate\":\"2026-11-24\",\"endDate\":\"2026-11-25\",\"items\":["
                + "{\"keyId\":\"basic-customer\",\"keyName\":\"basic-customer\",\"date\":\"2026-11-24\",\"used\":0,\"remaining\":5},"
                + "{\"keyId\":\"basic-customer\",\"keyName\":\"basic-customer\",\"date\":\"2026-11-25\",\"used\":3,\"remaining\":2}]}",
                Files.readString(json));

        // a reversed range is refused with the API's reason, and nothing is saved
        ((ChromeDriver) browser).executeScript("document.getElementById('export-start').value = '2026-11-26';");
        browser.findElement(By.id("export-csv")).click();
        wait.until(d -> "error".equals(d.findElement(By.tagName("body")).getAttribute("data-export")));
        assertEquals("Export failed: endDate is before startDate 2026-11-26", text(By.id("export-message")));
        try (var files = Files.list(downloads)) {
            assertEquals(2, files.count(), "only the two exports");
        }
    }

    /** The file the browser saved under {@code name}, awaited (bounded) until the download is complete. */
    private Path downloaded(WebDriverWait wait, String name) {
        wait.until(d -> "done".equals(d.findElement(By.tagName("body")).getAttribute("data-export")));
        Path file = downloads.resolve(name);
        wait.until(d -> {
            try (var files = Files.list(downloads)) {
                return Files.isRegularFile(file) && files.noneMatch(f -> f.toString().endsWith(".crdownload"));
            } catch (java.io.IOException e) {
                return false;
            }
        });
        return file;
    }

    private void spaced(String key, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofSeconds(2)); // the throttle refills
            assertEquals(200, server.pets(key).statusCode());
        }
    }

    private WebDriverWait wait(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** The rows of a table's body, each its cells' text joined by spaces. */
    private List<String> rows(String table) {
        return browser.findElements(By.cssSelector(table + " tbody tr")).stream()
                .map(r -> String.join(" ", r.findElements(By.tagName("td")).stream().map(c -> c.getText().trim()).toList()))
                .toList();
    }

    private Object lastHour() {
        try {
            return json(server.admin("GET", "stats/rates")).get("lastHour");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String text(By selector) {
        return browser.findElement(selector).getText().trim();
    }

    private WebElement chart(String plan, String key) {
        return browser.findElement(By.cssSelector("figure.chart-box[data-plan='" + plan + "'][data-key='" + key + "'] svg.chart"));
    }

    /** Pixels of exactly the series colour in a screenshot of the element's rectangle. */
    private static int seriesPixels(WebElement element) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == SERIES_RGB) {
                    count++;
                }
            }
        }
        return count;
    }

    private static <T> T cast(Object value, Class<T> type) {
        return type.cast(value);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
