package io.usageplans.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script of this module, run with {@code EVALSHA}; when Redis answers {@code NOSCRIPT} (a restarted server, a
 * new cluster node, {@code SCRIPT FLUSH}) the call is made once more with {@code EVAL}, which also caches the script
 * again. So the source travels only when a server does not know it.
 */
final class Script {

    final String source;
    final String sha;

    private Script(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    static Script load(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("usage-plans: " + resource + " is missing from the usage-plans-redis jar");
            }
            return new Script(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(source, keys, args);
        }
    }

    /** Whether {@code failure} (a pipelined answer) is Redis's {@code NOSCRIPT}. */
    static boolean isNoScript(RuntimeException failure) {
        return failure instanceof JedisNoScriptException
                || (failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT"));
    }
}
