/** Usage-plan state in Redis: {@link io.usageplans.redis.RedisUsageStore}, chosen with {@code usageplans.store=redis}. */
package io.usageplans.redis;
