package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** JSON strings as RFC 8259 requires them, in the form for bodies and in the ASCII form shared plans are stored in. */
class JsonStringsTest {

    private static String quote(String value) {
        return JsonStrings.quote(new StringBuilder(), value).toString();
    }

    private static String ascii(String value) {
        return JsonStrings.quoteAscii(new StringBuilder(), value).toString();
    }

    @Test
    void quotesAndBackslashesAreEscapedAndNewlineReturnAndTabUseTheirShortForms() {
        assertEquals("\"say \\\"hi\\\" \\\\ there\\nnext\\rline\\tcell\"", quote("say \"hi\" \\ there\nnext\rline\tcell"));
        assertEquals("\"say \\\"hi\\\" \\\\ there\\nnext\\rline\\tcell\"", ascii("say \"hi\" \\ there\nnext\rline\tcell"));
    }

    @Test
    void everyOtherControlCharacterIsAFourDigitLowerCaseEscape() {
        assertEquals("\"\\u0000\\u0001\\u0008\\u000b\\u000c\\u001b\\u001f \"", quote("\u0000\u0001\b\u000b\f\u001b\u001f "));
        assertEquals("\"\\u0000\\u0001\\u0008\\u000b\\u000c\\u001b\\u001f \"", ascii("\u0000\u0001\b\u000b\f\u001b\u001f "));
        for (char c = 0; c < 0x20; c++) {
            String text = quote(String.valueOf(c));
            assertTrue(text.chars().allMatch(x -> x >= 0x20), () -> "a raw control character in " + text);
            assertEquals(text, ascii(String.valueOf(c)));
        }
    }

    @Test
    void bodiesEscapeMarkupAndJavaScriptLineSeparatorsAndKeepOtherTextAsItIs() {
        assertEquals("\"\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e\"", quote("<b>Tom & Jerry</b>"));
        assertEquals("\"a\\u2028b\\u2029c\"", quote("a\u2028b\u2029c"));
        assertEquals("\"caf\u00e9 \u2026 \ud83d\ude42 '/' \u007f\"", quote("caf\u00e9 \u2026 \ud83d\ude42 '/' \u007f"),
                "beyond ASCII, a pair, the slash, the apostrophe and DEL stay as they are");
    }

    @Test
    void theAsciiFormEscapesEverythingBeyondAsciiButNotMarkup() {
        assertEquals("\"caf\\u00e9 \\u2026 \\ud83d\\ude42 \\u2028 \\u007f <b>&</b> '/'\"",
                ascii("caf\u00e9 \u2026 \ud83d\ude42 \u2028 \u007f <b>&</b> '/'"));
        for (int c = 0; c <= 0xffff; c++) {
            String text = ascii(String.valueOf((char) c));
            assertTrue(text.chars().allMatch(x -> x >= 0x20 && x < 0x7f), () -> "not printable ASCII: " + text);
        }
    }

    @Test
    void aSurrogateWithoutItsPairIsEscapedInBothForms() {
        assertEquals("\"a\\ud800b\"", quote("a\ud800b"));
        assertEquals("\"a\\udc00\"", quote("a\udc00"));
        assertEquals("\"\\ud83d\"", quote("\ud83d"), "a high surrogate at the end");
        assertEquals("\"\\ude42\\ud83d\"", quote("\ude42\ud83d"), "a pair the wrong way round is two lone ones");
        assertEquals("\"\\ud83d\ud83d\ude42\"", quote("\ud83d\ud83d\ude42"), "a lone high one before a whole pair");
        assertEquals("\"a\\ud800b\"", ascii("a\ud800b"));
        assertEquals("\"\\ude42\\ud83d\"", ascii("\ude42\ud83d"));
    }

    @Test
    void nullIsJsonNullAndTheTextIsAppendedToWhatIsThere() {
        StringBuilder out = new StringBuilder("{\"a\":");
        assertSame(out, JsonStrings.quote(out, null));
        assertSame(out, JsonStrings.quoteAscii(out.append(",\"b\":"), ""));
        assertEquals("{\"a\":null,\"b\":\"\"", out.toString());
        assertEquals("null", ascii(null));
    }
}
