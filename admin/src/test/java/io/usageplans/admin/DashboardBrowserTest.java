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
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
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
 * and its 30-day chart has bars where there was usage. Skipped when Chromium is missing, unless
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
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,2600", "--force-device-scale-factor=1", "--hide-scrollbars");
        // the driver is named, so Selenium Manager never looks for (or downloads) one
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void theDashboardShowsTheNumbersTheApiAnswersAndDrawsTheChart() throws Exception {
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

        browser.get(server.url("/usage-plans/"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
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
        assertEquals("1", text(By.cssSelector("#keys tr[data-key='basic-customer'] td.throttled")));
        assertEquals("1", text(By.cssSelector("#keys tr[data-key='basic-customer'] td.quotaExceeded")));
        Map<String, Object> forbidden = cast(stats.get("forbidden"));
        assertEquals(String.valueOf(forbidden.get("missingKey")), text(By.cssSelector("#forbidden tr[data-reason='missingKey'] td.count")));
        assertEquals(String.valueOf(forbidden.get("unknownKey")), text(By.cssSelector("#forbidden tr[data-reason='unknownKey'] td.count")));

        for (String plan : List.of("basic", "premium", "dev")) {
            Map<String, List<List<Object>>> items = cast(json(server.admin("GET", "usageplans/" + plan
                    + "/usage?startDate=2026-10-27&endDate=2026-11-25")).get("items"));
            items.forEach((key, days) -> {
                List<Object> today = days.get(days.size() - 1);
                String row = ".key-usage[data-plan='" + plan + "'][data-key='" + key + "'] ";
                assertEquals(String.valueOf(today.get(0)), text(By.cssSelector(row + ".used")), plan + " " + key);
                if (today.get(1) != null) {
                    assertEquals(String.valueOf(today.get(1)), text(By.cssSelector(row + ".remaining")), plan + " " + key);
                }
            });
        }
        assertEquals("5", text(By.cssSelector(".key-usage[data-plan='basic'][data-key='basic-customer'] .used")));
        assertEquals("0", text(By.cssSelector(".key-usage[data-plan='basic'][data-key='basic-customer'] .remaining")));
        assertEquals("93", text(By.cssSelector(".key-usage[data-plan='premium'][data-key='premium-customer'] .remaining")));

        Path screenshot = Path.of("target", "dashboard.png");
        Files.write(screenshot, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        int basicBars = seriesPixels(chart("basic", "basic-customer"));
        int premiumBars = seriesPixels(chart("premium", "premium-customer"));
        assertTrue(basicBars > 1000, "the basic key's chart has bars for 3 and 5 requests: " + basicBars + " pixels; see " + screenshot);
        assertTrue(premiumBars > 1000, "the premium key's chart has bars for 4 and 7: " + premiumBars + " pixels; see " + screenshot);
        assertEquals(0, seriesPixels(chart("premium", "idle-partner")), "a key without usage has no bars");
        assertFalse(browser.getPageSource().contains(AdminServer.TOKEN), "the token is never written into the page");
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
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
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

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
