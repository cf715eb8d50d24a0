package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path templates alone, as tables: how a template reads, which paths it matches, how templates order (JAX-RS: literal
 * characters, slashes included, then variables, then regex variables) and what a bad one says. The HTTP method on top
 * is {@link MethodKeyTableTest}'s. CSV columns are separated by {@code |} because templates hold commas.
 */
class PathTemplateTableTest {

    @ParameterizedTest(name = "{0} -> {1}, shown {2}, normalized {3}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # given                | template               | toString             | normalized
            /pets/{petId}          | /pets/{petId}          | /pets/{petId}        | /pets/{}
            pets/{petId}           | /pets/{petId}          | /pets/{petId}        | /pets/{}
            /pets                  | /pets                  | /pets                | /pets
            /pets/                 | /pets/                 | /pets/               | /pets
            /                      | /                      | /                    | /
            ''                     | /                      | /                    | /
            null                   | /                      | /                    | /
            *                      | *                      | *                    | *
            /{proxy+}              | /{proxy+}              | /{proxy+}            | /{+}
            /api/{proxy+}          | /api/{proxy+}          | /api/{proxy+}        | /api/{+}
            /pets/{id: [0-9]+}     | /pets/{id: [0-9]+}     | /pets/{id}           | /pets/{}
            /codes/{c: \\d{2,3}}   | /codes/{c: \\d{2,3}}   | /codes/{c}           | /codes/{}
            /files/{name}.json     | /files/{name}.json     | /files/{name}.json   | /files/{}.json
            /v{major}.{minor}/x    | /v{major}.{minor}/x    | /v{major}.{minor}/x  | /v{}.{}/x
            /files/{path: .*}      | /files/{path: .*}      | /files/{path}        | /files/{+}
            /a/{rest: [a-z/]+}     | /a/{rest: [a-z/]+}     | /a/{rest}            | /a/{+}
            """)
    void aTemplateKeepsItsTextShowsWithoutRegexesAndNormalizesWithoutNames(String given, String template, String shown,
                                                                          String normalized) {
        PathTemplate parsed = PathTemplate.parse(given);

        assertEquals(List.of(template, shown, normalized), List.of(parsed.template(), parsed.toString(), parsed.normalized()));
    }

    @Test
    void theStarTemplateIsTheOneThatMatchesAnyPath() {
        assertSame(PathTemplate.ANY, PathTemplate.parse("*"));
        assertEquals(List.of(true, false), List.of(PathTemplate.ANY.isAny(), PathTemplate.parse("/").isAny()));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # template               | path             | matches
            /pets/{petId}            | /pets/7          | true
            /pets/{petId}            | /pets/7/         | true
            /pets/{petId}            | /pets/7//        | true
            /pets/{petId}            | pets/7           | true
            /pets/{petId}            | /pets            | false
            /pets/{petId}            | /pets/           | false
            /pets/{petId}            | /pets/7/toys     | false
            /pets/{petId}            | /Pets/7          | false
            /pets/{petId}            | /pets//7         | false
            /pets                    | /pets            | true
            /pets                    | /pets/           | true
            /pets                    | /pets/x          | false
            /pets                    | /petsx           | false
            /pets                    | /pet             | false
            /pets                    | ''               | false
            /                        | /                | true
            /                        | ''               | true
            /                        | //               | true
            /                        | /pets            | false
            *                        | /anything/at/all | true
            *                        | ''               | true
            /{proxy+}                | /a/b/c           | true
            /{proxy+}                | /a               | true
            /{proxy+}                | /                | false
            /api/{proxy+}            | /api/v1/pets/7   | true
            /api/{proxy+}            | /api             | false
            /api/{proxy+}            | /api/            | false
            /api/{proxy+}            | /apiv1/pets      | false
            /pets/{id: [0-9]+}       | /pets/12         | true
            /pets/{id: [0-9]+}       | /pets/ab         | false
            /pets/{id: [0-9]+}       | /pets/12/x       | false
            /codes/{c: \\d{2,3}}     | /codes/123       | true
            /codes/{c: \\d{2,3}}     | /codes/1         | false
            /codes/{c: \\d{2,3}}     | /codes/1234      | false
            /files/{name}.json       | /files/a.json    | true
            /files/{name}.json       | /files/.json     | false
            /files/{name}.json       | /files/a.xml     | false
            /files/{name}.json       | /files/a/b.json  | false
            /v{major}.{minor}/x      | /v1.2/x          | true
            /v{major}.{minor}/x      | /v1/x            | false
            /files/{path: .*}        | /files           | true
            /files/{path: .*}        | /files/a/b/c.txt | true
            /files/{rest: .+}        | /files           | false
            /files/{rest: .+}        | /files/a/b       | true
            /a/{rest: [a-z/]+}       | /a/b/c           | true
            /a/{rest: [a-z/]+}       | /a/b/1           | false
            /a.b                     | /aXb             | false
            /a+b                     | /a+b             | true
            /x/{id}(1)               | /x/7(1)          | true
            /x/{id}(1)               | /x/71            | false
            /x/{id}                  | /x/%2F           | true
            /x/{id}                  | /x/a%2Fb/c       | false
            """)
    void aTemplateMatchesThePathsJaxRsAndAwsWouldRouteToIt(String template, String path, boolean matches) {
        assertEquals(matches, PathTemplate.parse(template).matches(path));
    }

    /** Each list is in the order JAX-RS tries templates. */
    static Stream<Arguments> mostSpecificFirst() {
        return Stream.of(
                Arguments.of(List.of("/pets/mine", "/pets/{petId}", "/pets", "/{proxy+}", "*")),
                Arguments.of(List.of("/pets/{id: [0-9]+}", "/pets/{id}")),
                Arguments.of(List.of("/files/{name}.json", "/files/{name}")),
                Arguments.of(List.of("/a/{x}/{y}", "/a/{x}", "/a/{rest+}")),
                Arguments.of(List.of("/ab/{x}", "/ab")),
                Arguments.of(List.of("/api/v1/{proxy+}", "/api/{proxy+}", "/{proxy+}", "*")),
                // literal characters count before variables: 'abcdef' (6 + 1 slash) beats '{a}/{b}' (2 slashes)
                Arguments.of(List.of("/abcdef", "/{a}/{b}")),
                // slashes are literal characters too: 4 each, then the template with more variables wins, as in Jersey
                Arguments.of(List.of("/{a}/{b}/{c}/{d}", "/xy/{rest: .+}")),
                // same literals and variables: the one with a regex variable first
                Arguments.of(List.of("/x/{a: .*}", "/x/{a}")),
                // same literals, variables and regexes: one variable per segment before one that takes the rest
                Arguments.of(List.of("/x/{a}", "/x/{a+}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mostSpecificFirst")
    void templatesSortMostSpecificFirstFromAnyStartingOrder(List<String> expected) {
        Random random = new Random(expected.hashCode());
        for (int round = 0; round < 10; round++) {
            List<PathTemplate> templates = new ArrayList<>(expected.stream().map(PathTemplate::parse).toList());
            Collections.shuffle(templates, random);
            templates.sort(PathTemplate::compareSpecificity);
            assertEquals(expected, templates.stream().map(PathTemplate::template).toList());
        }
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /pets/{petId}        | /pets/{id}
            /pets/{a: \\d+}      | /pets/{b: [0-9]+}
            /pets                | pets
            *                    | *
            """)
    void templatesOfTheSameShapeAreEquallySpecific(String a, String b) {
        PathTemplate x = PathTemplate.parse(a);
        PathTemplate y = PathTemplate.parse(b);
        assertEquals(List.of(0, 0), List.of(PathTemplate.compareSpecificity(x, y), PathTemplate.compareSpecificity(y, x)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # template             | message
            /a//b                  | path '/a//b' has an empty segment
            /{proxy+}/x            | in '/{proxy+}/x' the variable {proxy+} matches the rest of the path, so it must be the last segment
            /{p: .*}/x             | in '/{p: .*}/x' the variable {p: .*} matches the rest of the path, so it must be the last segment
            /x{proxy+}             | path '/x{proxy+}': a variable matching the rest of the path must be a whole segment, was 'x{proxy+}'
            /{a}{rest: .+}         | path '/{a}{rest: .+}': a variable matching the rest of the path must be a whole segment, was '{a}{rest: .+}'
            /a}                    | path '/a}' has a '}' without a '{' in segment 'a}'
            /{a}b}                 | path '/{a}b}' has a '}' without a '{' in segment '{a}b}'
            /{a                    | path '/{a' has an unclosed '{' in segment '{a'
            /{}                    | path '/{}' has a variable without a name in segment '{}'
            /{ : \\d+}             | path '/{ : \\d+}' has a variable without a name in segment '{ : \\d+}'
            /{id: [}               | path '/{id: [}' has an invalid regex '[': Unclosed character class
            /{id: (}               | path '/{id: (}' has an invalid regex '(': Unclosed group
            """)
    void badTemplatesAreRefusedWithAMessageNamingThePathAndTheSegment(String template, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse(template));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0} equals {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /pets/{petId}  | /pets/{petId}  | true
            pets/{petId}   | /pets/{petId}  | true
            /pets/{petId}  | /pets/{id}     | false
            /pets          | /pets/         | false
            *              | *              | true
            """)
    void templatesAreEqualWhenWrittenAlikeUpToTheLeadingSlash(String a, String b, boolean equal) {
        PathTemplate x = PathTemplate.parse(a);
        PathTemplate y = PathTemplate.parse(b);
        assertEquals(equal, x.equals(y));
        if (equal) {
            assertEquals(x.hashCode(), y.hashCode());
        }
    }
}
