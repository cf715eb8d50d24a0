package io.usageplans.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * A request's body as the admin API takes it: with a {@code Content-Type} (415 without one, or with a charset other
 * than UTF-8), at most {@link AdminSettings#maxBodyBytes()} bytes (413, read no further), and strictly UTF-8 (400
 * naming the first bad byte and where it is). Only a body that passes all three is handed on as text.
 */
final class RequestBody {

    /** How much of a body refused as too large is still read (and dropped) so that its client sees the 413. */
    static final long DISCARDED_AT_MOST = 64L * 1_048_576;

    private RequestBody() {
    }

    /**
     * The body as text; empty when the request has none.
     *
     * @throws NotSupportedException      (415) for a body without a Content-Type, or with a charset other than UTF-8
     * @throws ClientErrorException       (413) for a body of more than {@code maxBytes}
     * @throws AdminException             (400) for a body that is not UTF-8, or that ends before its declared length
     */
    static String read(HttpHeaders headers, InputStream in, long maxBytes) {
        MediaType type = headers.getMediaType();
        String charset = type == null ? null : type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !charset.equalsIgnoreCase("UTF-8")) {
            throw new NotSupportedException("the charset " + charset + " is not accepted; JSON and CSV are read as UTF-8");
        }
        String declared = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        declared = declared == null ? "" : declared.trim();
        if (declared.matches("[0-9]+") && (declared.length() > 18 || Long.parseLong(declared) > maxBytes)) {
            discard(in, 0);
            throw tooLarge(maxBytes);
        }
        byte[] bytes = readAtMost(in, maxBytes);
        if (bytes.length > 0 && type == null) {
            throw new NotSupportedException(); // the mapper names the types accepted
        }
        return decode(bytes);
    }

    private static byte[] readAtMost(InputStream in, long maxBytes) {
        if (in == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + (long) n > maxBytes) {
                    discard(in, out.size() + (long) n);
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) { // the client went away, stalled or broke the framing: nothing to read
            throw new AdminException(Kind.INVALID, "body", null, "the body could not be read to its end");
        }
        return out.toByteArray();
    }

    /**
     * Reads and drops the rest of a refused body, up to {@value #DISCARDED_AT_MOST} bytes in all: a client that sends
     * its whole body before it reads the answer (Java's HttpClient does) would otherwise see the connection reset
     * instead of the 413. Beyond that the server closes the connection.
     */
    private static void discard(InputStream in, long alreadyRead) {
        if (in == null) {
            return;
        }
        byte[] buffer = new byte[8192];
        long read = alreadyRead;
        try {
            int n;
            while (read < DISCARDED_AT_MOST && (n = in.read(buffer)) != -1) {
                read += n;
            }
        } catch (IOException e) {
            // the client went away; the 413 is still the answer
        }
    }

    private static ClientErrorException tooLarge(long maxBytes) {
        return new ClientErrorException("the body has more than " + maxBytes + " bytes; the admin API takes at most " + maxBytes
                + " (setting " + AdminSettings.MAX_BODY_BYTES + ")", 413);
    }

    /**
     * {@code bytes} as UTF-8, refusing what is not: a byte that starts no character, a sequence cut short, an
     * overlong form, an encoded surrogate.
     *
     * @throws AdminException (400) naming the first bad byte, its line and column
     */
    static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            out.flip();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < out.limit(); i++) {
                if (out.get(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new AdminException(Kind.INVALID, "body", null, String.format("the body is not UTF-8: byte 0x%02x at line %d, "
                    + "column %d", bytes[Math.min(in.position(), bytes.length - 1)] & 0xff, line, out.limit() - lineStart + 1));
        }
        return out.flip().toString();
    }
}
