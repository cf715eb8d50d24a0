package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path templates and AWS method keys, as tables: how a key reads, what it matches, how keys order, and what a bad key
 * says. CSV columns are separated by {@code |} because templates hold commas ({@code {x: \d{2,3}}}).
 */
class MethodKeyTableTest {

    @ParameterizedTest(name = "{0} -> path {1}, method {2}, shown {3}, normalized {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # key                        | resourcePath           | method | toString                | normalized
            /pets/{petId}/GET            | /pets/{petId}          | GET    | /pets/{petId}/GET       | /pets/{}/GET
            /pets/GET                    | /pets                  | GET    | /pets/GET               | /pets/GET
            /pets/get                    | /pets                  | GET    | /pets/GET               | /pets/GET
            //GET                        | /                      | GET    | //GET                   | //GET
            //*                          | /                      | *      | //*                     | //*
            */*                          | *                      | *      | */*                     | */*
            */POST                       | *                      | POST   | */POST                  | */POST
            /pets/*                      | /pets                  | *      | /pets/*                 | /pets/*
            /{proxy+}/GET                | /{proxy+}              | GET    | /{proxy+}/GET           | /{+}/GET
            /api/{proxy+}/*              | /api/{proxy+}          | *      | /api/{proxy+}/*         | /api/{+}/*
            /pets/{id: [0-9]+}/GET       | /pets/{id: [0-9]+}     | GET    | /pets/{id}/GET          | /pets/{}/GET
            /pets/{id:[0-9]+}/DELETE     | /pets/{id:[0-9]+}      | DELETE | /pets/{id}/DELETE       | /pets/{}/DELETE
            /codes/{c: \\d{2,3}}/GET     | /codes/{c: \\d{2,3}}   | GET    | /codes/{c}/GET          | /codes/{}/GET
            /files/{name}.json/GET       | /files/{name}.json     | GET    | /files/{name}.json/GET  | /files/{}.json/GET
            /v{major}.{minor}/x/HEAD     | /v{major}.{minor}/x    | HEAD   | /v{major}.{minor}/x/HEAD| /v{}.{}/x/HEAD
            /files/{path: .*}/GET        | /files/{path: .*}      | GET    | /files/{path}/GET       | /files/{+}/GET
            /a/{rest: [a-z/]+}/PUT       | /a/{rest: [a-z/]+}     | PUT    | /a/{rest}/PUT           | /a/{+}/PUT
            /pets/{petId}/options        | /pets/{petId}          | OPTIONS| /pets/{petId}/OPTIONS   | /pets/{}/OPTIONS
            /pets/{petId}/Patch          | /pets/{petId}          | PATCH  | /pets/{petId}/PATCH     | /pets/{}/PATCH
            /pets//GET                   | /pets/                 | GET    | /pets//GET              | /pets/GET
            """)
    void aKeyReadsAsAwsWritesItAndNormalizesWithoutNamesOrRegexes(String key, String resourcePath, String method,
                                                                 String shown, String normalized) {
        MethodKey parsed = MethodKey.parse(key);

        assertEquals(List.of(resourcePath, method, shown, normalized),
                List.of(parsed.resourcePath(), parsed.httpMethod(), parsed.toString(), parsed.normalized()));
    }

    @ParameterizedTest(name = "of({0}, {1}) = {2}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # resourcePath      | method | toString
            /pets/{petId}       | get    | /pets/{petId}/GET
            pets/{petId}        | GET    | /pets/{petId}/GET
            ''                  | GET    | //GET
            null                | POST   | //POST
            /                   | *      | //*
            *                   | *      | */*
            """)
    void ofAddsTheLeadingSlashTakesAnEmptyPathAsTheRootAndUpperCasesTheMethod(String path, String method, String shown) {
        assertEquals(shown, MethodKey.of(path, method).toString());
    }

    @ParameterizedTest(name = "{0} and {1} name the same method")
    @CsvSource(delimiter = '|', textBlock = """
            /pets/{petId}/GET         | /pets/{id: \\d+}/GET
            /pets/{petId}/GET         | /pets/{id}/get
            /pets/GET                 | /pets//GET
            /files/{name}.json/GET    | /files/{id:[a-z]+}.json/GET
            /{proxy+}/GET             | /{path: .+}/GET
            """)
    void keysThatDifferOnlyInVariableNamesRegexesTrailingSlashesOrMethodCaseNormalizeAlike(String a, String b) {
        assertEquals(MethodKey.parse(a).normalized(), MethodKey.parse(b).normalized());
    }

    @ParameterizedTest(name = "{0} matches {1} {2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # key                        | method | path             | matches
            /pets/{petId}/GET            | GET    | /pets/7          | true
            /pets/{petId}/GET            | GET    | /pets/7/         | true
            /pets/{petId}/GET            | GET    | pets/7           | true
            /pets/{petId}/GET            | POST   | /pets/7          | false
            /pets/{petId}/GET            | GET    | /pets            | false
            /pets/{petId}/GET            | GET    | /pets/           | false
            /pets/{petId}/GET            | GET    | /pets/7/toys     | false
            /pets/{petId}/GET            | GET    | /Pets/7          | false
            /pets/{petId}/GET            | GET    | /pets//7         | false
            /pets/GET                    | GET    | /pets            | true
            /pets/GET                    | GET    | /pets/           | true
            /pets/GET                    | GET    | /pets/x          | false
            /pets/GET                    | GET    | /petsx           | false
            /pets/GET                    | GET    | /pet             | false
            //GET                        | GET    | /                | true
            //GET                        | GET    | ''               | true
            //GET                        | GET    | /pets            | false
            /pets/*                      | DELETE | /pets            | true
            /pets/*                      | PATCH  | /pets/           | true
            */*                          | PUT    | /anything/at/all | true
            */*                          | GET    | /                | true
            */POST                       | GET    | /pets            | false
            /{proxy+}/GET                | GET    | /a/b/c           | true
            /{proxy+}/GET                | GET    | /a               | true
            /{proxy+}/GET                | GET    | /                | false
            /api/{proxy+}/*              | GET    | /api/v1/pets/7   | true
            /api/{proxy+}/*              | GET    | /api             | false
            /api/{proxy+}/*              | GET    | /apiv1/pets      | false
            /pets/{id: [0-9]+}/GET       | GET    | /pets/12         | true
            /pets/{id: [0-9]+}/GET       | GET    | /pets/ab         | false
            /pets/{id: [0-9]+}/GET       | GET    | /pets/12/x       | false
            /codes/{c: \\d{2,3}}/GET     | GET    | /codes/123       | true
            /codes/{c: \\d{2,3}}/GET     | GET    | /codes/1         | false
            /codes/{c: \\d{2,3}}/GET     | GET    | /codes/1234      | false
            /files/{name}.json/GET       | GET    | /files/a.json    | true
            /files/{name}.json/GET       | GET    | /files/.json     | false
            /files/{name}.json/GET       | GET    | /files/a.xml     | false
            /files/{name}.json/GET       | GET    | /files/a/b.json  | false
            /v{major}.{minor}/x/GET      | GET    | /v1.2/x          | true
            /v{major}.{minor}/x/GET      | GET    | /v1/x            | false
            /files/{path: .*}/GET        | GET    | /files           | true
            /files/{path: .*}/GET        | GET    | /files/a/b/c.txt | true
            /files/{rest: .+}/GET        | GET    | /files           | false
            /files/{rest: .+}/GET        | GET    | /files/a/b       | true
            /a/{rest: [a-z/]+}/PUT       | PUT    | /a/b/c           | true
            /a/{rest: [a-z/]+}/PUT       | PUT    | /a/b/1           | false
            /a.b/GET                     | GET    | /aXb             | false
            /a+b/GET                     | GET    | /a+b             | true
            /x/{id}(1)/GET               | GET    | /x/7(1)          | true
            /x/{id}(1)/GET               | GET    | /x/71            | false
            """)
    void aKeyMatchesTheRequestsJaxRsAndAwsWouldRouteToIt(String key, String method, String path, boolean matches) {
        assertEquals(matches, MethodKey.parse(key).matches(method, path));
    }

    /** Each list is in the order JAX-RS tries templates: more literal characters, then more variables, then more regexes. */
    static Stream<Arguments> mostSpecificFirst() {
        return Stream.of(
                Arguments.of(List.of("/pets/mine/GET", "/pets/{petId}/GET", "/pets/GET", "/{proxy+}/GET", "*/*")),
                Arguments.of(List.of("/pets/{petId}/GET", "/pets/{petId}/*")),
                Arguments.of(List.of("/pets/{id: [0-9]+}/GET", "/pets/{id}/GET")),
                Arguments.of(List.of("/files/{name}.json/GET", "/files/{name}/GET")),
                Arguments.of(List.of("/a/{x}/{y}/GET", "/a/{x}/GET", "/a/{rest+}/GET")),
                Arguments.of(List.of("/ab/{x}/GET", "/ab/GET")),
                Arguments.of(List.of("/api/v1/{proxy+}/*", "/api/{proxy+}/*", "/{proxy+}/*", "*/GET", "*/*")),
                Arguments.of(List.of("*/GET", "*/*")),
                // slashes are literal characters too: 4 each, then the template with more variables wins, as in Jersey
                Arguments.of(List.of("/{a}/{b}/{c}/{d}/GET", "/xy/{rest: .+}/GET")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mostSpecificFirst")
    void keysSortMostSpecificFirstFromAnyStartingOrder(List<String> expected) {
        Random random = new Random(expected.hashCode());
        for (int round = 0; round < 10; round++) {
            List<MethodKey> keys = new ArrayList<>(expected.stream().map(MethodKey::parse).toList());
            Collections.shuffle(keys, random);
            keys.sort(MethodKey::compareSpecificity);
            assertEquals(expected, keys.stream().map(k -> k.resourcePath().replaceFirst("^/$", "") + "/" + k.httpMethod()).toList());
        }
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /pets/{petId}/GET        | /pets/{id}/GET
            /pets/{a: \\d+}/GET      | /pets/{b: [0-9]+}/GET
            */*                      | */*
            """)
    void keysOfTheSameShapeAreEquallySpecific(String a, String b) {
        assertEquals(List.of(0, 0), List.of(MethodKey.compareSpecificity(MethodKey.parse(a), MethodKey.parse(b)),
                MethodKey.compareSpecificity(MethodKey.parse(b), MethodKey.parse(a))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # key                  | message
            null                   | method key must look like /pets/{petId}/GET, was empty
            '  '                   | method key must look like /pets/{petId}/GET, was empty
            GET                    | method key must look like /pets/{petId}/GET, was 'GET'
            pets/GET               | method key must start with / (like /pets/{petId}/GET), was 'pets/GET'
            /pets/FETCH            | HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was 'FETCH'
            /pets/ANY              | HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was 'ANY'
            /pets/                 | HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was ''
            /a//b/GET              | path '/a//b' has an empty segment
            /{proxy+}/x/GET        | in '/{proxy+}/x' the variable {proxy+} matches the rest of the path, so it must be the last segment
            /{p: .*}/x/GET         | in '/{p: .*}/x' the variable {p: .*} matches the rest of the path, so it must be the last segment
            /x{proxy+}/GET         | path '/x{proxy+}': a variable matching the rest of the path must be a whole segment, was 'x{proxy+}'
            /a}/GET                | path '/a}' has a '}' without a '{' in segment 'a}'
            /{a}b}/GET             | path '/{a}b}' has a '}' without a '{' in segment '{a}b}'
            /{a/GET                | path '/{a' has an unclosed '{' in segment '{a'
            /{}/GET                | path '/{}' has a variable without a name in segment '{}'
            /{ : \\d+}/GET         | path '/{ : \\d+}' has a variable without a name in segment '{ : \\d+}'
            /{id: [}/GET           | path '/{id: [}' has an invalid regex '[': Unclosed character class
            """)
    void badKeysAreRefusedWithAMessageNamingTheValue(String key, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MethodKey.parse(key));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "of(/pets, {0})")
    @CsvSource(nullValues = "null", textBlock = """
            null
            ''
            ANY
            CONNECT
            """)
    void ofRefusesMethodsAwsThrottlesCannotName(String method) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MethodKey.of("/pets", method));
        assertEquals("HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was '" + method + "'",
                e.getMessage());
    }

    @ParameterizedTest(name = "{0} equals {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /pets/{petId}/GET | /pets/{petId}/get | true
            /pets/{petId}/GET | /pets/{id}/GET    | false
            /pets/GET         | /pets/POST        | false
            */*               | */*               | true
            """)
    void keysAreEqualWhenTheyAreWrittenAlikeUpToTheMethodsCase(String a, String b, boolean equal) {
        MethodKey x = MethodKey.parse(a);
        MethodKey y = MethodKey.parse(b);
        assertEquals(equal, x.equals(y));
        if (equal) {
            assertEquals(x.hashCode(), y.hashCode());
        }
    }
}
