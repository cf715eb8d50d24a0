package io.usageplans.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The admin API's JSON reader takes RFC 8259 JSON as written and refuses anything else, saying what and where. */
class JsonParserTest {

    @Test
    void readsEveryKindOfValue() {
        assertEquals(Map.of("a", List.of(1L, -2L, 0L, true, false, "x", Map.of())), JsonParser.parse(" {\"a\" : [1,-2,-0,true,false,\"x\",{}]}\n"));
        assertEquals(Arrays.asList((Object) null), JsonParser.parse("[null]"));
        assertEquals("caf\u00e9 \"/\\\b\f\n\r\t \ud83d\ude00", JsonParser.parse("\"caf\\u00E9 \\\"\\/\\\\\\b\\f\\n\\r\\t \\ud83d\\ude00\""));
        assertEquals(Map.of(), JsonParser.parse("\uFEFF{}"));
        assertEquals(Long.MAX_VALUE, JsonParser.parse("9223372036854775807"));
        assertEquals(new JsonParser.BigNumber("9223372036854775808", true), JsonParser.parse("9223372036854775808"));
        assertEquals(new JsonParser.BigNumber("2.5e-3", false), JsonParser.parse("2.5e-3"));
        String thousandDigits = "7".repeat(1000);
        assertEquals(new JsonParser.BigNumber(thousandDigits, true), JsonParser.parse(thousandDigits));
        assertEquals(List.of(List.of()), JsonParser.parse("[".repeat(2) + "]".repeat(2)));
        JsonParser.parse("[".repeat(32) + "]".repeat(32));
    }

    @Test
    void refusesWhatIsNotJsonNamingLineAndColumn() {
        assertRefused("{\"a\":1,}", "expected a field name in double quotes, found '}'", 1, 8);
        assertRefused("{\n  a: 1}", "expected a field name in double quotes, found 'a'", 2, 3);
        assertRefused("{\"a\":1,\"a\":2}", "the field 'a' appears twice", 1, 8);
        assertRefused("[01]", "a number must not start with 0", 1, 3);
        assertRefused("[1.]", "expected a digit after '.', found ']'", 1, 4);
        assertRefused("[1e]", "expected a digit in the exponent, found ']'", 1, 4);
        assertRefused("[-]", "expected a digit after '-', found ']'", 1, 3);
        assertRefused("[.5]", "expected a JSON value, found '.'", 1, 2);
        assertRefused("[NaN]", "expected a JSON value, found 'N'", 1, 2);
        assertRefused("[tru]", "expected a JSON value, found 't'", 1, 2);
        assertRefused("['a']", "expected a JSON value, found '''", 1, 2);
        assertRefused("[1] [2]", "expected the end of the body after the JSON value, found '['", 1, 5);
        assertRefused("[1 2]", "expected ',' or ']' after an element, found '2'", 1, 4);
        assertRefused("{\"a\" 1}", "expected ':' after the field name, found '1'", 1, 6);
        assertRefused("[1]\n// note", "expected the end of the body after the JSON value, found '/'", 2, 1);
        assertRefused("\"a\tb\"", "a control character (U+0009) in a string; JSON writes it as an escape such as \\n or \\u0009", 1, 3);
        assertRefused("\"\\x\"", "an unknown escape \\x in a string; JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", 1, 2);
        assertRefused("\"\\u12\"", "a \\u escape needs four hexadecimal digits", 1, 2);
        assertRefused("\"\\u\u0661\u0662\u0663\u0664\"", "a \\u escape needs four hexadecimal digits", 1, 2);
        assertRefused("\"\\ud800\"", "an unpaired surrogate \\ud800 in a string", 1, 2);
        assertRefused("\"\\udc00\\ud800\"", "an unpaired surrogate \\udc00 in a string", 1, 2);
        assertRefused("\"abc", "a string is not closed: the body ends before its closing \"", 1, 5);
        assertRefused("", "expected a JSON value, found the end of the body", 1, 1);
        assertRefused("[\u00a01]", "expected a JSON value, found U+00A0", 1, 2);
        assertRefused("[".repeat(33), "it nests more than 32 arrays and objects", 1, 33);
        assertRefused("[".repeat(1_000_000), "it nests more than 32 arrays and objects", 1, 33);
        assertRefused("[1,\r\n\r\n2,]", "expected a JSON value, found ']'", 3, 3);
    }

    private static void assertRefused(String text, String problem, int line, int column) {
        JsonParser.MalformedJsonException refused = assertThrows(JsonParser.MalformedJsonException.class, () -> JsonParser.parse(text));
        assertEquals(problem, refused.getMessage(), text);
        assertEquals(line + ":" + column, refused.line() + ":" + refused.column(), text);
    }
}
