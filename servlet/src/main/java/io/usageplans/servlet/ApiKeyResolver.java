package io.usageplans.servlet;

import java.util.Locale;

import io.usageplans.UsagePlansConfigException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Where the API key of a request comes from. The default is the {@code x-api-key} header; choose another with
 * the setting {@code usageplans.key-source}: {@code header:<name>}, {@code query:<name>}, {@code principal} (the
 * principal's name is the key's value), or the class name of your own implementation (public, with a no-argument
 * constructor). An authenticated identity can name the key instead (AWS's AUTHORIZER key source):
 * {@code principal-name}, {@code attribute:<request attribute>} or {@code jwt-claim:<claim>}; an identity that names no
 * key is refused with 403, as an unknown key is.
 */
@FunctionalInterface
public interface ApiKeyResolver {

    /** The setting that chooses the resolver. */
    String KEY_SOURCE = "usageplans.key-source";

    /**
     * The raw key the caller sent, or null when there is none; {@link io.usageplans.UsagePlans#SEVERAL_KEYS} when it
     * sent more than one different key, which is refused with 403.
     */
    String resolve(HttpServletRequest request);

    /** The key from a request header; header names are case-insensitive. The header twice with different keys: refused. */
    static ApiKeyResolver header(String name) {
        return new KeySources.Header(name);
    }

    /** The key from a query parameter (the query string only: a form body is never read); twice with different keys: refused. */
    static ApiKeyResolver queryParameter(String name) {
        return new KeySources.Query(name);
    }

    /** The name of the authenticated principal, for applications whose callers log in. */
    static ApiKeyResolver principal() {
        return new KeySources.PrincipalName();
    }

    /** The authenticated principal's name is the name of the caller's key. */
    static ApiKeyResolver principalKeyName() {
        return new KeySources.PrincipalKeyName();
    }

    /** The request attribute {@code attribute} (a {@code String} or a {@code Principal}), set by the app's own auth filter, names the key. */
    static ApiKeyResolver attributeKeyName(String attribute) {
        return new KeySources.AttributeKeyName(attribute);
    }

    /** The claim {@code claim} of the caller's MicroProfile JWT ({@code JsonWebToken} principal) names the key. */
    static ApiKeyResolver jwtClaimKeyName(String claim) {
        return new KeySources.ClaimKeyName(claim);
    }

    /** How a start-up line names a resolver: {@code header:x-api-key}, {@code principal}, or its class. */
    static String describe(ApiKeyResolver resolver) {
        return resolver instanceof KeySources.Source ? resolver.toString() : resolver.getClass().getName().replaceAll("\\$\\$.*", "");
    }

    /** Parses the {@code usageplans.key-source} setting; null or empty means the {@code x-api-key} header. */
    static ApiKeyResolver fromSetting(String value, ClassLoader loader) {
        if (value == null || value.isBlank()) {
            return header("x-api-key");
        }
        String v = value.trim();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.startsWith("header:") && v.length() > 7) {
            return header(v.substring(7).trim());
        }
        if (lower.startsWith("query:") && v.length() > 6) {
            return queryParameter(v.substring(6).trim());
        }
        if (lower.equals("principal")) {
            return principal();
        }
        if (lower.equals("principal-name")) {
            return principalKeyName();
        }
        if (lower.startsWith("attribute:") && v.length() > 10 && !v.substring(10).isBlank()) {
            return attributeKeyName(v.substring(10).trim());
        }
        if (lower.startsWith("jwt-claim:") && v.length() > 10 && !v.substring(10).isBlank()) {
            return jwtClaimKeyName(v.substring(10).trim());
        }
        try {
            Class<?> type = Class.forName(v, true, loader);
            return (ApiKeyResolver) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new UsagePlansConfigException(KEY_SOURCE, "'" + v + "' is not header:<name>, query:<name>, principal, "
                    + "principal-name, attribute:<name>, jwt-claim:<claim>, "
                    + "or the name of a public class implementing " + ApiKeyResolver.class.getName()
                    + " with a no-argument constructor (" + e + ")");
        }
    }
}
