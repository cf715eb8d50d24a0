package io.usageplans.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlansBootstrap;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Serves the dashboard, a static page whose script reads the admin API from the browser: {@code index.html},
 * {@code dashboard.js} and {@code dashboard.css} from this jar, at {@code /usage-plans/} by the jar's
 * {@code web-fragment.xml}. The page holds no data itself; the API decides who sees any. 404 when the admin is off.
 */
public class DashboardServlet extends HttpServlet {

    /** The servlet name under which a container registers the admin API's application (its class name). */
    public static final String API_SERVLET_NAME = UsagePlansAdminApplication.class.getName();
    /** Where the admin API is, relative to the context, unless its servlet is mapped elsewhere. */
    public static final String DEFAULT_API_PATH = "/usage-plans/admin";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static final String API_ATTRIBUTE = "data-api=\"admin\"";

    private Map<String, Asset> assets;
    private RequestRates rates;

    private record Asset(String contentType, byte[] bytes) {
    }

    @Override
    public void init() throws ServletException {
        AdminSettings settings = AdminSettings.of(getServletContext());
        if (settings.problem() != null) {
            throw new ServletException(settings.problem());
        }
        Asset page = load("index.html", "text/html;charset=UTF-8");
        if (!new String(page.bytes(), StandardCharsets.UTF_8).contains(API_ATTRIBUTE)) {
            throw new ServletException("usage-plans admin: index.html in the jar has no " + API_ATTRIBUTE);
        }
        assets = Map.of("/", page, "/index.html", page,
                "/dashboard.js", load("dashboard.js", "text/javascript;charset=UTF-8"),
                "/dashboard.css", load("dashboard.css", "text/css;charset=UTF-8"));
        ServletContext context = getServletContext();
        rates = RequestRates.counting(() -> UsagePlansBootstrap.running(context).map(UsagePlans::counters).orElse(null)).start();
        rates.publish(context);
    }

    @Override
    public void destroy() {
        if (rates != null) {
            rates.close();
            if (RequestRates.of(getServletContext()) == rates) {
                getServletContext().removeAttribute(RequestRates.class.getName());
            }
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!AdminSettings.of(getServletContext()).enabled()) {
            notFound(response);
            return;
        }
        String path = request.getPathInfo();
        if (path == null) {
            response.sendRedirect(request.getRequestURI() + "/"); // relative links need the page to end in /
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            notFound(response);
            return;
        }
        byte[] body = asset.bytes();
        if (asset.contentType().startsWith("text/html")) {
            String api = request.getContextPath() + apiPath();
            body = new String(body, StandardCharsets.UTF_8).replace(API_ATTRIBUTE, "data-api=\"" + escape(api) + "\"")
                    .getBytes(StandardCharsets.UTF_8);
        }
        response.setContentType(asset.contentType());
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Cache-Control", "no-cache");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The admin API's mapping: a web.xml {@code <servlet-mapping>} may have moved it from {@value #DEFAULT_API_PATH}. */
    private String apiPath() {
        ServletRegistration api = getServletContext().getServletRegistration(API_SERVLET_NAME);
        if (api != null) {
            for (String mapping : api.getMappings()) {
                if (mapping.endsWith("/*") && mapping.length() > 2) {
                    return mapping.substring(0, mapping.length() - 2);
                }
            }
        }
        return DEFAULT_API_PATH;
    }

    private static void notFound(HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("Not Found");
    }

    private static Asset load(String name, String contentType) throws ServletException {
        try (InputStream in = DashboardServlet.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new ServletException("usage-plans admin: dashboard/" + name + " is missing from the jar");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new ServletException("usage-plans admin: cannot read dashboard/" + name, e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
