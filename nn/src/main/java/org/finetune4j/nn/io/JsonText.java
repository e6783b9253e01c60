package org.finetune4j.nn.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON for reports (metric histories, run manifests), with no library. The writer takes
 * Map (keys as strings, in the map's order), Collection, double[], float[], int[], long[] and
 * arrays of those, String, Boolean, Number, null; NaN and ±Infinity become null, since JSON has
 * no such numbers. Objects go one member per line; arrays of scalars stay on one line. The strict
 * RFC 8259 reader ({@link #parse}) turns such text back into a tree of maps, lists, strings,
 * Doubles, Booleans and nulls, so that parse(write(x)) equals x up to number type.
 */
public final class JsonText {
    private static final String INDENT = "  ";
    /** Deepest nesting the reader accepts; manifests need a handful, the cap bounds recursion. */
    public static final int MAX_DEPTH = 64;

    private JsonText() {}

    /** The value as indented JSON text, ending in a newline. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        append(b, value, 0);
        return b.append('\n').toString();
    }

    private static void append(StringBuilder b, Object v, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Float f) {
            b.append(Float.isFinite(f) ? Float.toString(f) : "null");       // shortest float text
        } else if (v instanceof Double d) {
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Number) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            object(b, m, depth);
        } else {
            array(b, elements(v), depth);
        }
    }

    private static List<Object> elements(Object v) {
        List<Object> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            out.addAll(c);
        } else if (v instanceof double[] a) {
            for (double x : a) out.add(x);
        } else if (v instanceof float[] a) {
            for (float x : a) out.add(x);
        } else if (v instanceof int[] a) {
            for (int x : a) out.add(x);
        } else if (v instanceof long[] a) {
            for (long x : a) out.add(x);
        } else if (v instanceof Object[] a) {
            out.addAll(List.of(a));
        } else {
            throw new IllegalArgumentException("JsonText cannot write a " + v.getClass().getName());
        }
        return out;
    }

    private static void object(StringBuilder b, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            b.append("{}");
            return;
        }
        b.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            b.append(INDENT.repeat(depth + 1));
            quote(b, String.valueOf(e.getKey()));
            b.append(": ");
            append(b, e.getValue(), depth + 1);
            b.append(++i < m.size() ? ",\n" : "\n");
        }
        b.append(INDENT.repeat(depth)).append('}');
    }

    private static void array(StringBuilder b, List<Object> items, int depth) {
        boolean flat = true;
        for (Object o : items) {
            flat &= o == null || o instanceof Number || o instanceof String || o instanceof Boolean;
        }
        b.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (!flat) b.append('\n').append(INDENT.repeat(depth + 1));
            append(b, items.get(i), depth + 1);
            if (i + 1 < items.size()) b.append(flat ? ", " : ",");
        }
        if (!flat && !items.isEmpty()) b.append('\n').append(INDENT.repeat(depth));
        b.append(']');
    }

    private static void quote(StringBuilder b, String s) {
        b.append(Json.quote(s));                    // one escaping rule for every JSON we write
    }

    /**
     * Parses strict RFC 8259 text into a tree: object -> LinkedHashMap (member order kept),
     * array -> ArrayList, string -> String, true/false -> Boolean, null -> null, and every number
     * -> Double, integers too: one number type keeps callers simple, and a double holds every
     * int and every float the writer emits exactly (longs beyond 2^53 round). Duplicate keys,
     * nesting deeper than {@link #MAX_DEPTH} and out-of-range numbers are rejected. Every error
     * is an IllegalArgumentException naming the problem and its character offset.
     */
    public static Object parse(String text) {
        return new Parser(text).document(null);
    }

    /** {@link #parse}, requiring an object at the top level. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        return (Map<String, Object>) new Parser(text).document('{');
    }

    /** {@link #parse}, requiring an array at the top level. */
    @SuppressWarnings("unchecked")
    public static List<Object> parseArray(String text) {
        return (List<Object>) new Parser(text).document('[');
    }

    /** Recursive descent; recursion is safe because depth is capped at {@link #MAX_DEPTH}. */
    private static final class Parser {
        private final String s;
        private int pos;
        private int depth;

        Parser(String text) {
            this.s = text;
        }

        /** One value, with only whitespace around it; open ('{' or '[') pins the top-level kind. */
        Object document(Character open) {
            space();
            if (open != null && !at(open)) {
                throw fail(pos, "expected " + (open == '{' ? "an object" : "an array")
                        + " at top level");
            }
            Object v = value();
            space();
            if (pos < s.length()) throw fail(pos, "unexpected " + shown() + " after the value");
            return v;
        }

        private Object value() {
            if (pos >= s.length()) throw fail(pos, "unexpected end of input, expected a value");
            char c = s.charAt(pos);
            if (c == '-' || digit(pos)) return number();
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                default -> literal("null", null);
            };
        }

        private Map<String, Object> object() {
            enter();
            Map<String, Object> m = new LinkedHashMap<>();
            space();
            if (at('}')) return close(m);
            while (true) {
                space();
                if (at('}')) throw fail(pos, "trailing comma before '}'");
                if (!at('"')) throw fail(pos, "expected a string key, found " + shown());
                int keyAt = pos;
                String k = string();
                // Last-wins would silently drop a value; a manifest with two of a key is corrupt.
                if (m.containsKey(k)) throw fail(keyAt, "duplicate key " + Json.quote(k));
                space();
                if (!at(':')) throw fail(pos, "expected ':' after key, found " + shown());
                pos++;
                space();
                m.put(k, value());
                space();
                if (at('}')) return close(m);
                if (!at(',')) throw fail(pos, "expected ',' or '}', found " + shown());
                pos++;
            }
        }

        private List<Object> array() {
            enter();
            List<Object> a = new ArrayList<>();
            space();
            if (at(']')) return close(a);
            while (true) {
                space();
                if (at(']')) throw fail(pos, "trailing comma before ']'");
                a.add(value());
                space();
                if (at(']')) return close(a);
                if (!at(',')) throw fail(pos, "expected ',' or ']', found " + shown());
                pos++;
            }
        }

        private void enter() {
            if (++depth > MAX_DEPTH) throw fail(pos, "nesting deeper than " + MAX_DEPTH);
            pos++;
        }

        private <T> T close(T container) {
            depth--;
            pos++;
            return container;
        }

        private String string() {
            int start = pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw fail(start, "unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return b.toString();
                }
                if (c < 0x20) throw fail(pos, "raw control character " + shown() + " in string");
                pos++;
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= s.length()) throw fail(start, "unterminated string");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    // Each u-escape is one UTF-16 unit, so a pair rebuilds itself and a lone
                    // surrogate (which the writer escapes) survives the round trip unchanged.
                    case 'u' -> b.append(hex4());
                    default -> throw fail(pos - 2, "bad escape '\\" + e + "'");
                }
            }
        }

        private char hex4() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                char h = pos + i < s.length() ? s.charAt(pos + i) : 'x';
                int d = h < 0x80 ? Character.digit(h, 16) : -1;    // ASCII only, not Unicode digits
                if (d < 0) throw fail(pos - 2, "bad \\u escape, expected 4 hex digits");
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        private Double number() {
            int start = pos;
            if (at('-')) pos++;
            if (at('0')) {
                pos++;
                if (digit(pos)) throw fail(start, "leading zero in number");
            } else {
                digits("a digit");
            }
            if (at('.')) {
                pos++;
                digits("a digit after '.'");
            }
            if (at('e') || at('E')) {
                pos++;
                if (at('+') || at('-')) pos++;
                digits("a digit in the exponent");
            }
            double d = Double.parseDouble(s.substring(start, pos));
            // 1e999 would come back as Infinity, which the writer could only write as null.
            if (Double.isInfinite(d)) throw fail(start, "number out of double range");
            return d;
        }

        private void digits(String what) {
            if (!digit(pos)) throw fail(pos, "expected " + what + ", found " + shown());
            while (digit(pos)) pos++;
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw fail(pos, "expected a value, found " + shown());
            pos += word.length();
            return v;
        }

        private void space() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }

        private boolean at(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private boolean digit(int i) {
            return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }

        /** The character at pos for a message: quoted if printable ASCII, else its code point. */
        private String shown() {
            if (pos >= s.length()) return "end of input";
            char c = s.charAt(pos);
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        private static IllegalArgumentException fail(int offset, String problem) {
            return new IllegalArgumentException("JSON: " + problem + " at offset " + offset);
        }
    }
}
