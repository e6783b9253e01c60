package org.finetune4j.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    private static final List<String> AWKWARD_STRINGS = List.of("", "plain",
            "say \"hi\"", "back\\slash", "a/b", "\u0000\u0001\b\f\n\r\t\u001f\u007f",
            "héllo ünïcödé ✓ 日本",
            "emoji \uD83D\uDE00 pair", "lone high \uD800", "\uDC00 lone low", "\uDFFF\uD800");

    /** The text's error message must name the problem and the exact offset. */
    private static void assertRejected(String text, String problem, int offset) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> JsonText.parse(text), text);
        assertTrue(e.getMessage().startsWith("JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "want '" + problem + "': " + e.getMessage());
        assertTrue(e.getMessage().endsWith(" at offset " + offset),
                "want offset " + offset + ": " + e.getMessage());
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void roundTripsANestedManifestTree() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("lr", 0.05);
        inner.put("frozen", false);
        inner.put("note", null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zeta", "first key, not sorted");
        m.put("alpha", true);
        m.put("grid", List.of(inner, new LinkedHashMap<>(), new ArrayList<>()));
        m.put("history", List.of(List.of(1.5, -2.25e-9), List.of(3.0e300)));
        m.put("strings", AWKWARD_STRINGS);
        Object back = JsonText.parse(JsonText.write(m));
        assertEquals(m, back);
        assertInstanceOf(LinkedHashMap.class, back);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(((Map<?, ?>) back).keySet()));
        assertInstanceOf(ArrayList.class, ((Map<?, ?>) back).get("grid"));
    }

    @Test
    void roundTripsEveryAwkwardStringExactly() {
        for (String s : AWKWARD_STRINGS) {
            assertEquals(s, JsonText.parse(JsonText.write(s)), JsonText.write(s));
            Map<String, Object> asKey = new LinkedHashMap<>();
            asKey.put(s, s);
            assertEquals(asKey, JsonText.parse(JsonText.write(asKey)), "as a key: " + s);
        }
    }

    @Test
    void readsFloatsAsTheDoubleOfTheirShortestText() {
        float[] fs = {0.1f, -1e-5f, 3.4028235e38f, Float.MIN_VALUE, 1f / 3f, 0f, -0f, 16777217f};
        List<?> back = (List<?>) JsonText.parse(JsonText.write(fs));
        for (int i = 0; i < fs.length; i++) {
            double want = Double.parseDouble(Float.toString(fs[i]));
            assertEquals(want, (Double) back.get(i), 0.0, "element " + i);
            assertEquals(Float.floatToIntBits(fs[i]), Float.floatToIntBits((float) want),
                    "element " + i + " narrows back to the same float");
        }
    }

    @Test
    void readsDoublesBitExactlyAndIntegersAsDoubles() {
        double[] ds = {0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Math.PI, 1e-300, 12345.0};
        List<?> back = (List<?>) JsonText.parse(JsonText.write(ds));
        for (int i = 0; i < ds.length; i++) {
            assertEquals(Double.doubleToLongBits(ds[i]),
                    Double.doubleToLongBits((Double) back.get(i)), "element " + i);
        }
        assertEquals(List.of(7.0, -3.0, 0.0), JsonText.parse(JsonText.write(new int[] {7, -3, 0})));
        long big = 1L << 53;                               // 2^53: still exact as a double
        assertEquals(List.of((double) big), JsonText.parse(JsonText.write(new long[] {big})));
    }

    @Test
    void writesNonFiniteNumbersAsNullAndReadsThemBackAsNull() {
        List<Object> back = JsonText.parseArray(JsonText.write(
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1}));
        assertEquals(Arrays.asList(null, null, null, 1.0), back);
        assertNull(JsonText.parse(JsonText.write(Float.NaN)));
    }

    @Test
    void acceptsEveryRfcEscapeIncludingASurrogatePair() {
        String text = "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00E9\\uD83D\\uDE00\\ud800\"";
        assertEquals("\"\\/\b\f\n\r\té\u00e9\uD83D\uDE00\uD800", JsonText.parse(text));
    }

    @Test
    void acceptsWhitespaceAroundEveryTokenAndAllNumberForms() {
        String text = " \t\r\n{ \"a\" :\n[ 1 , -0 , 0.5 , 1e3 , 1E+3 , -1.5e-3 , 10 ] ,"
                + "\"b\":true,\"c\" : null , \"d\":false}\n\t ";
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("a", List.of(1.0, -0.0, 0.5, 1000.0, 1000.0, -0.0015, 10.0));
        want.put("b", true);
        want.put("c", null);
        want.put("d", false);
        assertEquals(want, JsonText.parseObject(text));
        assertEquals(List.of(), JsonText.parseArray("[ ]"));
        assertEquals(Map.of(), JsonText.parseObject("{ }"));
        assertEquals("x", JsonText.parse(" \"x\" "));
    }

    @Test
    void nestsSixtyFourLevelsButNotSixtyFive() {
        Object v = JsonText.parse(nested(JsonText.MAX_DEPTH));
        for (int i = 1; i < JsonText.MAX_DEPTH; i++) v = ((List<?>) v).get(0);
        assertEquals(List.of(), v);
        assertRejected(nested(65), "nesting deeper than 64", 64);
        assertRejected("{\"a\":" + nested(64) + "}", "nesting deeper than 64", 68);
    }

    @Test
    void rejectsTruncatedInputAtItsEnd() {
        assertRejected("", "unexpected end of input", 0);
        assertRejected("   ", "unexpected end of input", 3);
        assertRejected("{\"a\": 1", "expected ',' or '}'", 7);
        assertRejected("[1, 2", "expected ',' or ']'", 5);
        assertRejected("[1,", "unexpected end of input", 3);
        assertRejected("{\"a\"", "expected ':'", 4);
        assertRejected("tru", "expected a value", 0);
        assertRejected("-", "expected a digit", 1);
        assertRejected("1.", "expected a digit after '.'", 2);
        assertRejected("1e+", "expected a digit in the exponent", 3);
    }

    @Test
    void rejectsTrailingGarbageAfterTheValue() {
        assertRejected("{} x", "unexpected 'x' after the value", 3);
        assertRejected("[1] [2]", "after the value", 4);
        assertRejected("1 2", "after the value", 2);
        assertRejected("nullx", "after the value", 4);
    }

    @Test
    void rejectsBadEscapes() {
        assertRejected("\"a\\x\"", "bad escape '\\x'", 2);
        assertRejected("\"\\u12G4\"", "bad \\u escape", 1);
        assertRejected("\"\\u12", "bad \\u escape", 1);
        assertRejected("\"\\u\u0661\u0662\u0663\u0664\"", "bad \\u escape", 1);   // Arabic digits
        assertRejected("\"\\'\"", "bad escape", 1);
    }

    @Test
    void rejectsUnterminatedStringsAtTheirOpeningQuote() {
        assertRejected("\"abc", "unterminated string", 0);
        assertRejected("[\"ok\", \"abc\\\"]", "unterminated string", 7);
        assertRejected("{\"k\": \"v\\", "unterminated string", 6);
    }

    @Test
    void rejectsTrailingCommas() {
        assertRejected("[1, 2,]", "trailing comma before ']'", 6);
        assertRejected("{\"a\": 1, }", "trailing comma before '}'", 9);
        assertRejected("[,]", "expected a value", 1);
        assertRejected("{,}", "expected a string key", 1);
    }

    @Test
    void rejectsLeadingZerosButNotALoneZero() {
        assertRejected("01", "leading zero", 0);
        assertRejected("[-007]", "leading zero", 1);
        assertRejected("00.5", "leading zero", 0);
        assertEquals(List.of(0.0, 0.25, -0.0), JsonText.parse("[0, 0.25, -0]"));
    }

    @Test
    void rejectsNonJsonNumbersAndLiterals() {
        assertRejected("+1", "expected a value", 0);
        assertRejected(".5", "expected a value", 0);
        assertRejected("NaN", "expected a value", 0);
        assertRejected("[Infinity]", "expected a value", 1);
        assertRejected("1e999", "out of double range", 0);
        assertRejected("// c\n1", "expected a value", 0);
        assertRejected("{'a': 1}", "expected a string key", 1);
    }

    @Test
    void rejectsDuplicateKeysAtTheSecondOccurrence() {
        assertRejected("{\"a\": 1, \"b\": 2, \"a\": 3}", "duplicate key \"a\"", 17);
        assertEquals(Map.of("x", Map.of("a", 1.0), "y", Map.of("a", 2.0)),
                JsonText.parse("{\"x\": {\"a\": 1}, \"y\": {\"a\": 2}}"));
    }

    @Test
    void rejectsRawControlCharactersInsideStrings() {
        assertRejected("\"a\nb\"", "raw control character U+000A", 2);
        assertRejected("[\"\t\"]", "raw control character U+0009", 2);
        assertRejected("{\"k\u0000\": 1}", "raw control character U+0000", 3);
    }

    @Test
    void typedHelpersRejectTheWrongTopLevelKind() {
        assertEquals(Map.of("a", List.of()), JsonText.parseObject("{\"a\": []}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsonText.parseObject("  [1]"));
        assertEquals("JSON: expected an object at top level at offset 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JsonText.parseArray("{}"));
        assertEquals("JSON: expected an array at top level at offset 0", e.getMessage());
    }
}
