package io.usageplans.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's API-key CSV as tables: RFC 4180 quoting, line ends, blank lines, a byte-order mark, header variants, plan lists,
 * and problems at the line an editor shows. A row reads {@code line:key|name|description|enabled|plans}; a problem
 * {@code line:column:message}.
 */
class KeyCsvTest {

    private static Arguments table(String what, String text, int count, List<String> rows, List<String> problems) {
        return Arguments.of(what, text, count, rows, problems);
    }

    static Stream<Arguments> files() {
        return Stream.of(
                table("the two required columns", "key,name\nk1,alice\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("no line end after the last line", "key,name\nk1,alice", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("columns in any order and case, padded", "Name , KEY,usagePlanIds,Enabled,DESCRIPTION\n"
                                + " alice , k1 ,basic,false, first \n", 1,
                        List.of("2:k1|alice|first|false|[basic]"), List.of()),
                table("a quoted field holds commas", "key,name,description\nk1,alice,\"Acme, Inc.\"\n", 1,
                        List.of("2:k1|alice|Acme, Inc.|true|[]"), List.of()),
                table("doubled quotes inside quotes are one quote", "key,name,description\nk1,alice,\"say \"\"hi\"\"\"\n", 1,
                        List.of("2:k1|alice|say \"hi\"|true|[]"), List.of()),
                table("a quoted empty field", "key,name,description\nk1,alice,\"\"\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("quoted header names", "\"key\",\"name\"\nk1,alice\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("a quoted field holds a line break, and later lines keep their numbers",
                        "key,name,description\nk1,alice,\"two\nlines\"\nk2,bob,x\n", 2,
                        List.of("2:k1|alice|two\nlines|true|[]", "4:k2|bob|x|true|[]"), List.of()),
                table("CRLF line ends", "key,name\r\nk1,alice\r\nk2,bob\r\n", 2,
                        List.of("2:k1|alice||true|[]", "3:k2|bob||true|[]"), List.of()),
                table("CRLF inside quotes is kept as it is", "key,name,description\r\nk1,alice,\"a\r\nb\"\r\nk2,bob,c\r\n", 2,
                        List.of("2:k1|alice|a\r\nb|true|[]", "4:k2|bob|c|true|[]"), List.of()),
                table("blank and white lines are skipped but counted", "\nkey,name\n\nk1,alice\n   \r\n\t\nk2,bob\n\n", 2,
                        List.of("4:k1|alice||true|[]", "7:k2|bob||true|[]"), List.of()),
                table("a byte-order mark before the header", "\uFEFFkey,name\r\nk1,alice\r\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("plans separated by semicolons", "key,name,usageplanIds\nk1,alice,basic;premium\n", 1,
                        List.of("2:k1|alice||true|[basic, premium]"), List.of()),
                table("plans separated by commas inside quotes", "key,name,usageplanIds\nk1,alice,\"basic, premium\"\n", 1,
                        List.of("2:k1|alice||true|[basic, premium]"), List.of()),
                table("plans separated by bars, with blanks and empty entries", "key,name,usageplanIds\nk1,alice, basic | ;premium;\n", 1,
                        List.of("2:k1|alice||true|[basic, premium]"), List.of()),
                table("enabled: blank, true and false in any case, anything else unreadable",
                        "key,name,enabled\nk1,a,\nk2,b,TRUE\nk3,c,False\nk4,d,yes\n", 4,
                        List.of("2:k1|a||true|[]", "3:k2|b||true|[]", "4:k3|c||false|[]", "5:k4|d||null|[]"), List.of()),
                table("a line with too few or too many fields is a problem; the others are read",
                        "key,name\nk1\nk2,bob,extra\nk3,carol\n", 3,
                        List.of("4:k3|carol||true|[]"),
                        List.of("2:null:has 1 fields, the header has 2", "3:null:has 3 fields, the header has 2")),
                table("a line of empty fields is not blank", "key,name\n,\n", 1,
                        List.of("2:|||true|[]"), List.of()),
                table("an unknown column stops before any line", "key,name,colour\nk1,alice,red\n", 0,
                        List.of(), List.of("1:colour:unknown column 'colour'; the columns are key, name, description, enabled "
                                + "and usageplanIds")),
                table("a column twice stops before any line", "key,name,Key\nk1,alice,k2\n", 0,
                        List.of(), List.of("1:Key:column 'key' appears twice")),
                table("a header without name", "key,description\nk1,x\n", 0,
                        List.of(), List.of("1:name:the header has no column 'name'")),
                table("a header without either required column names both", "description\nx\n", 0,
                        List.of(), List.of("1:key:the header has no column 'key'", "1:name:the header has no column 'name'")),
                table("a quote never closed is reported at the line it opened", "key,name\nk1,alice\nk2,\"bob\nk3,carol\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of("3:null:a field opened with \" is never closed")),
                table("a quote inside an unquoted field is a character of it", "key,name\nk1,al\"ice\n", 1,
                        List.of("2:k1|al\"ice||true|[]"), List.of()),
                table("text after a closing quote joins the quoted text", "key,name\nk1,\"al\"ice\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("spaces inside quotes are trimmed like any others", "key,name\n\" k1 \",\"alice \"\n", 1,
                        List.of("2:k1|alice||true|[]"), List.of()),
                table("lone CR line ends", "key,name\rk1,alice\rk2,bob\r", 2,
                        List.of("2:k1|alice||true|[]", "3:k2|bob||true|[]"), List.of()),
                table("a header and no lines has no keys and no problems", "key,name,description\n", 0,
                        List.of(), List.of()),
                table("an empty file has no keys and no problems", "", 0, List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void aKeysCsvIsReadAsRfc4180WritesItWithProblemsAtTheirLines(String what, String text, int count, List<String> rows,
                                                               List<String> problems) {
        List<String> seenRows = new ArrayList<>();
        List<String> seenProblems = new ArrayList<>();

        int read = KeyCsv.read(text, row -> seenRows.add(row.line() + ":" + row.key() + "|" + row.name() + "|"
                + row.description() + "|" + row.enabledValue() + "|" + row.plans()),
                problem -> seenProblems.add(problem.line() + ":" + problem.column() + ":" + problem.message()));

        assertEquals(List.of(count, rows, problems), List.of(read, seenRows, seenProblems));
    }
}
