package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import io.usageplans.UsagePlansConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;

/**
 * The strict JSON reader behind {@code .json} plan files: every JSON text RFC 8259 allows is read, and everything else
 * is refused with its line and column, where a YAML parser would have accepted much of it.
 */
class JsonEventsTest {

    private static final String PLANS = """
            {
              "plans": [
                {"name": "basic", "apiStages": [{"stage": "test"}]}
              ]
            }
            """;

    @Test
    void aJsonPlanFileWithTrailingCommasIsRefusedNamingTheLine() {
        String json = """
                {
                  "plans": [
                    {"name": "basic", "apiStages": [{"stage": "test"}],},
                  ],
                }
                """;

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(json, "plans.json"));

        assertEquals("usage-plans: plans.json, line 3: not valid JSON: a trailing comma before '}' is not JSON; remove the "
                + "last ',' (column 56)", e.getMessage());
        assertEquals(3, e.line());
        assertEquals("plans.json", e.source());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            trailing comma in a list      | {"plans": [1, 2,]}                   | 1 | 17 | a trailing comma before ']' is not JSON; remove the last ','
            trailing comma in an object   | {"api": "x",}                        | 1 | 13 | a trailing comma before '}' is not JSON; remove the last ','
            a line comment                | {"api": "x" // the name\\n}          | 1 | 13 | comments are not JSON
            a block comment               | {/* plans */ "api": "x"}             | 1 | 2  | comments are not JSON
            a hash comment                | {"api": "x"}\\n# done                | 2 | 1  | after the plan file's one JSON value, '#' follows; a JSON text is one value
            single-quoted key             | {'api': "x"}                         | 1 | 2  | object keys are written in double quotes, not single quotes
            single-quoted value           | {"api": 'x'}                         | 1 | 9  | strings are written in double quotes, not single quotes
            an unquoted key               | {api: "x"}                           | 1 | 2  | an object key must be a string in double quotes, found 'api'
            an unquoted value             | {"api": basic}                       | 1 | 9  | 'basic' is not a JSON value; strings are written in double quotes
            YAML's yes                    | {"a": yes}                           | 1 | 7  | 'yes' is not a JSON value; strings are written in double quotes
            a leading zero                | {"a": 012}                           | 1 | 7  | '012' is not a JSON number: no leading zeros
            a leading plus                | {"a": +1}                            | 1 | 7  | '+1' is not a JSON value; strings are written in double quotes
            NaN                           | {"a": NaN}                           | 1 | 7  | 'NaN' is not a JSON value; strings are written in double quotes
            a bare decimal point          | {"a": 1.}                            | 1 | 7  | '1.' is not a JSON number: digits must follow the '.'
            hexadecimal                   | {"a": 0x10}                          | 1 | 7  | '0x10' is not a JSON value
            truthy                        | {"a": True}                          | 1 | 7  | 'True' is not a JSON value; strings are written in double quotes
            a missing comma               | {"a": 1 "b": 2}                      | 1 | 9  | a ',' or '}' must follow an object's value, found a string
            a missing colon               | {"a" 1}                              | 1 | 6  | a ':' must follow an object key, found '1'
            a missing value               | {"a": }                              | 1 | 7  | a value is missing before '}'
            two commas                    | [1,,2]                               | 1 | 4  | a value is missing before ','
            an unknown escape             | {"a": "\\x41"}                       | 1 | 8  | '\\x' is not a JSON escape; use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX
            a short unicode escape        | {"a": "\\u12"}                       | 1 | 8  | '\\u' must be followed by four hexadecimal digits
            a tab inside a string         | {"a": "x\ty"}                        | 1 | 9  | a control character (U+0009) inside a string must be escaped
            a line break inside a string  | {"a": "x\\ny"}                       | 1 | 9  | a string is never closed on its line: a '"' is missing (a line break inside a string is written \\n)
            an unclosed string            | {"a": "x                             | 1 | 7  | a string is never closed: a '"' is missing
            an unclosed object            | {"a": 1                              | 1 | 8  | the JSON text ends inside an object: a '}' is missing
            an unclosed list              | [1, 2                                | 1 | 6  | the JSON text ends inside an array: a ']' is missing
            a second value                | {} {}                                | 1 | 4  | after the plan file's one JSON value, an object follows; a JSON text is one value
            an extra closing brace        | {}}                                  | 1 | 3  | after the plan file's one JSON value, '}' follows; a JSON text is one value
            nothing but a comma           | ,                                    | 1 | 1  | a value is missing before ','
            """)
    void jsonThatIsNotJsonIsRefusedWithLineAndColumn(String what, String json, int line, int column, String problem) {
        String text = json.replace("\\n", "\n").replace("\\t", "\t");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> read(text), what);

        assertEquals("usage-plans: plans.json, line " + line + ": not valid JSON: " + problem + " (column " + column + ")",
                e.getMessage(), what);
    }

    @Test
    void everyFormOfJsonIsRead() {
        List<String> scalars = scalars("""
                \uFEFF {"a": [0, -0, 1.5, -12.25e+3, 1E-2, 7e9, true, false, null, "", "x\\"y\\\\z\\/\\b\\f\\n\\r\\t",
                \t"\\u00e9\\uD83D\\uDE00", "ünïcödé 🙂", {}, [], [[]], {"b": {"c": []}}],\r\n "k": "v"}\r
                """);

        assertEquals(List.of("a", "0", "-0", "1.5", "-12.25e+3", "1E-2", "7e9", "true", "false", "null", "", "x\"y\\z/\b\f\n\r\t",
                "é😀", "ünïcödé 🙂", "b", "c", "k", "v"), scalars);
    }

    @Test
    void aJsonPlanFileIsTheSameCatalogAsItsYaml() {
        String yaml = """
                plans:
                  - name: basic
                    apiStages:
                      - stage: test
                """;

        assertEquals(PlanFile.parse(yaml, "plans.yaml").plans(), PlanFile.parse(PLANS, "plans.json").plans());
    }

    @Test
    void jsonNullAndTheStringNullDiffer() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(
                "{\"plans\": [{\"name\": \"basic\", \"apiStages\": [{\"stage\": \"test\"}], \"failMode\": \"null\"}]}", "plans.json"));

        assertEquals("usage-plans: plans.json, line 1: plans[basic].failMode: unknown fail mode 'null'; use CLOSED (answer 503 "
                + "when the store cannot answer, the default) or OPEN (let requests through unmetered)", e.getMessage());
        assertEquals(1, PlanFile.parse("{\"plans\": [{\"name\": \"basic\", \"apiStages\": [{\"stage\": \"test\"}], "
                + "\"failMode\": null}]}", "plans.json").plans().size());
    }

    @Test
    void aBlankJsonFileIsAnEmptyPlanFile() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(" \n\t\n", "plans.json"));

        assertEquals("usage-plans: plans.json: the plan file is empty; it needs at least 'plans'", e.getMessage());
    }

    private static void read(String json) {
        JsonEvents events = new JsonEvents(json, "plans.json", PlanFile.MAX_VALUE_CHARS);
        while (events.hasNext()) {
            events.next();
        }
    }

    private static List<String> scalars(String json) {
        List<String> values = new ArrayList<>();
        JsonEvents events = new JsonEvents(json, "plans.json", PlanFile.MAX_VALUE_CHARS);
        while (events.hasNext()) {
            Event e = events.next();
            if (e instanceof ScalarEvent s) {
                values.add(s.getValue());
            }
        }
        return values;
    }
}
