package io.usageplans.cdi;

import io.usageplans.servlet.ApiKeyResolver;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Replaces the key resolver bean: the x-api-key header, or else an {@code Authorization: ApiKey <key>} header. */
@ApplicationScoped
public class TestKeyResolver {

    @Produces
    @Alternative
    @Priority(100)
    @Singleton
    ApiKeyResolver resolver() {
        return request -> {
            String key = request.getHeader("x-api-key");
            String authorization = request.getHeader("Authorization");
            return key == null && authorization != null && authorization.startsWith("ApiKey ") ? authorization.substring(7) : key;
        };
    }
}
