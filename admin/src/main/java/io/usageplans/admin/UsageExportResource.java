package io.usageplans.admin;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Locale;

import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.manage.UsageReport;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * A plan's usage for a range of UTC days as a download, like the AWS console's "Export usage data": CSV (one row per
 * key and day) or JSON (the same rows). Written while the keys are read, so a large export is never held whole; key
 * names only, never key values.
 */
@Path("usageplans/{usageplanId}/usage/export")
public class UsageExportResource extends AdminResource {

    static final String CSV = "text/csv";
    static final String CSV_HEADER = "keyId,keyName,date,used,remaining";

    /** The export formats, by the name {@code format=} takes. */
    enum Format {
        CSV, JSON
    }

    /**
     * {@code ?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD[&format=csv|json]}; without {@code format}, the {@code Accept}
     * header chooses ({@code application/json} for JSON), else CSV.
     */
    @GET
    @Produces({CSV, MediaType.APPLICATION_JSON})
    public Response export(@PathParam("usageplanId") String plan, @QueryParam("startDate") String startDate,
                           @QueryParam("endDate") String endDate, @QueryParam("format") String format) {
        UsagePlansAdmin admin = admin();
        Format chosen = format == null ? negotiated() : format(format);
        LocalDate start = UsagePlansResource.date("startDate", startDate);
        LocalDate end = UsagePlansResource.date("endDate", endDate);
        Iterable<UsageReport.KeyDays> keys = admin.usageByKey(plan, start, end); // refuses before anything is written
        String disposition = disposition(plan, start, end, chosen.name().toLowerCase(Locale.ROOT));
        if (chosen == Format.CSV) {
            return Response.ok((StreamingOutput) out -> {
                Writer csv = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                writeCsv(csv, start, keys);
                csv.flush();
            }, CSV + ";charset=UTF-8").header("Content-Disposition", disposition).build();
        }
        return Response.ok((StreamingOutput) out -> {
            Writer json = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writeJson(json, plan, start, end, keys);
            json.flush();
        }, MediaType.APPLICATION_JSON_TYPE).header("Content-Disposition", disposition).build();
    }

    /** CSV as RFC 4180 has it: a header, CRLF after every row, text cells quoted where needed. */
    static void writeCsv(Writer out, LocalDate start, Iterable<UsageReport.KeyDays> keys) throws java.io.IOException {
        out.write(CSV_HEADER);
        out.write("\r\n");
        for (UsageReport.KeyDays key : keys) {
            String name = csvText(key.keyId());
            for (int i = 0; i < key.days().size(); i++) {
                UsageReport.Day usage = key.days().get(i);
                LocalDate day = start.plusDays(i); // never past the last day: that may be LocalDate.MAX
                out.write(name); // a key's id is its name
                out.write(',');
                out.write(name);
                out.write(',');
                out.write(day.toString());
                out.write(',');
                out.write(Long.toString(usage.used()));
                out.write(',');
                out.write(usage.remaining() == null ? "" : usage.remaining().toString());
                out.write("\r\n");
            }
        }
    }

    /** {@code {"usagePlanId","startDate","endDate","items":[{"keyId","keyName","date","used","remaining"},...]}}. */
    static void writeJson(Writer out, String plan, LocalDate start, LocalDate end, Iterable<UsageReport.KeyDays> keys)
            throws java.io.IOException {
        String head = Json.write(Json.object().put("usagePlanId", plan).put("startDate", start).put("endDate", end));
        out.write(head, 0, head.length() - 1);
        out.write(",\"items\":[");
        boolean first = true;
        for (UsageReport.KeyDays key : keys) {
            for (int i = 0; i < key.days().size(); i++) {
                UsageReport.Day usage = key.days().get(i);
                LocalDate day = start.plusDays(i);
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.write(Json.write(Json.object().put("keyId", key.keyId()).put("keyName", key.keyId()).put("date", day)
                        .put("used", usage.used()).put("remaining", usage.remaining())));
            }
        }
        out.write("]}");
    }

    /**
     * A text cell: one that a spreadsheet would run as a formula (starting with {@code = + - @}, a tab or a carriage
     * return, or their full-width forms) gets a leading {@code '}; one with a comma, quote or line break is quoted,
     * its quotes doubled.
     */
    static String csvText(String value) {
        String cell = value;
        if (!cell.isEmpty() && "=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20".indexOf(cell.charAt(0)) >= 0) {
            cell = "'" + cell;
        }
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return '"' + cell.replace("\"", "\"\"") + '"';
            }
        }
        return cell;
    }

    /**
     * {@code attachment; filename="usage-<plan>-<start>-<end>.<ext>"}; a plan name with characters other than ASCII
     * letters, digits, {@code .}, {@code _} and {@code -} has them as {@code _} there, and whole in {@code filename*}.
     */
    static String disposition(String plan, LocalDate start, LocalDate end, String extension) {
        StringBuilder safe = new StringBuilder(plan.length());
        for (int i = 0; i < plan.length(); i++) {
            char c = plan.charAt(i);
            boolean plain = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            safe.append(plain ? c : '_');
        }
        String suffix = "-" + start + "-" + end + "." + extension;
        String disposition = "attachment; filename=\"usage-" + safe + suffix + "\"";
        if (!safe.toString().equals(plan)) {
            disposition += "; filename*=UTF-8''" + URLEncoder.encode("usage-" + plan + suffix, StandardCharsets.UTF_8)
                    .replace("+", "%20").replace("*", "%2A");
        }
        return disposition;
    }

    private static Format format(String text) {
        for (Format format : Format.values()) {
            if (format.name().equalsIgnoreCase(text)) {
                return format;
            }
        }
        throw new AdminException(Kind.INVALID, "format", text, "format must be csv or json, was '" + text + "'");
    }

    /** The first type the caller accepts that is CSV or JSON (by quality); CSV for a wildcard or no Accept at all. */
    private Format negotiated() {
        for (MediaType accepted : headers.getAcceptableMediaTypes()) {
            if (accepted.isWildcardType() || accepted.isCompatible(MediaType.valueOf(CSV))) {
                return Format.CSV;
            }
            if (accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return Format.JSON;
            }
        }
        return Format.CSV;
    }
}
