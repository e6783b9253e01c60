package org.finetune4j.autograd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch golden fixtures (STYLE.md 3.10): {@link #load} reads /golden/&lt;family&gt;.json from the
 * class path, as written by autograd/src/test/python/make_golden.py, and {@link #assertClose}
 * compares a result with one, naming the tensor, the index, both values and the tolerance. The JSON
 * reader is hand-written so the test-jar needs no library; numbers stay exact decimals (BigDecimal)
 * until a tensor asks for float32, so each value parses to exactly the float the generator stored.
 */
public final class Golden {
    private static final int MAX_LISTED = 10;                   // llm.c stops listing at about ten

    private Golden() {}

    /** One fixture file: where it came from and its cases in file order. */
    public record Fixture(String family, String generator, String torch, long seed,
                          List<Case> cases) {
        public Case get(String name) {
            for (Case c : cases) if (c.name().equals(name)) return c;
            throw new IllegalArgumentException("golden " + family + ": no case '" + name + "'");
        }
    }

    /** One case: scalar/array parameters and named tensors. */
    public record Case(String family, String name, Map<String, Object> params,
                       Map<String, Object> tensors) {
        public boolean has(String tensorKey) {
            return tensors.containsKey(tensorKey);
        }

        public Tensor tensor(String key) {
            Object t = tensors.get(key);
            if (!(t instanceof Map<?, ?> m)) throw missing("tensor", key);
            int[] dims = toInts(m.get("shape"), key + ".shape");
            List<?> data = (List<?>) m.get("data");
            float[] a = new float[data.size()];
            for (int i = 0; i < a.length; i++) a[i] = ((BigDecimal) data.get(i)).floatValue();
            return Tensor.wrap(a, Shape.of(dims));
        }

        /** A fresh leaf requiring grad, holding a copy of the stored tensor. */
        public Variable param(String key) {
            return Variable.param(tensor(key));
        }

        public Variable constant(String key) {
            return Variable.constant(tensor(key));
        }

        public Object raw(String key) {
            if (!params.containsKey(key)) throw missing("parameter", key);
            return params.get(key);
        }

        public int intParam(String key) {
            return ((BigDecimal) raw(key)).intValueExact();
        }

        public float floatParam(String key) {
            return ((BigDecimal) raw(key)).floatValue();
        }

        public boolean boolParam(String key) {
            return (Boolean) raw(key);
        }

        public String stringParam(String key) {
            return (String) raw(key);
        }

        public int[] ints(String key) {
            return toInts(raw(key), key);
        }

        public List<String> strings(String key) {
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) raw(key)) out.add((String) o);
            return out;
        }

        /** "family/case": the prefix of every failure message. */
        public String what(String tensorKey) {
            return family + "/" + name + " " + tensorKey;
        }

        private IllegalArgumentException missing(String kind, String key) {
            return new IllegalArgumentException("golden " + family + "/" + name + ": no " + kind
                    + " '" + key + "' (tensors " + tensors.keySet() + ", params " + params.keySet()
                    + ")");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---------------------------------------------------------------- loading

    @SuppressWarnings("unchecked")
    public static Fixture load(String family) {
        String resource = "/golden/" + family + ".json";
        String text;
        try (InputStream in = Golden.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("golden fixture " + resource + " not on the class"
                        + " path; run /usr/bin/python3 autograd/src/test/python/make_golden.py");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
        Map<String, Object> doc = (Map<String, Object>) parseJson(text);
        List<Case> cases = new ArrayList<>();
        for (Object o : (List<?>) doc.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            cases.add(new Case(family, (String) c.get("name"),
                    (Map<String, Object>) c.get("params"), (Map<String, Object>) c.get("tensors")));
        }
        return new Fixture(family, (String) doc.get("generator"), (String) doc.get("torch"),
                ((BigDecimal) doc.get("seed")).longValueExact(), List.copyOf(cases));
    }

    /**
     * Parses JSON text: objects become LinkedHashMap (key order kept), arrays ArrayList, numbers
     * BigDecimal, strings String, true/false Boolean, null null.
     */
    public static Object parseJson(String text) {
        JsonReader r = new JsonReader(text);
        Object v = r.value();
        r.skipSpace();
        if (r.pos != text.length()) throw r.error("trailing characters");
        return v;
    }

    private static int[] toInts(Object list, String what) {
        if (!(list instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " is not an array: " + list);
        }
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((BigDecimal) l.get(i)).intValueExact();
        return a;
    }

    // ---------------------------------------------------------------- comparing

    /** Checks shapes, then |actual − expected| ≤ atol + rtol·|expected| per element (allclose). */
    public static void assertClose(Tensor expected, Tensor actual, double atol, double rtol,
                                   String what) {
        if (actual == null) {
            throw new AssertionError(what + ": no value (null); expected " + expected.shape());
        }
        if (!expected.shape().equals(actual.shape())) {
            throw new AssertionError(what + ": shape " + actual.shape() + ", expected "
                    + expected.shape());
        }
        assertClose(expected.toArray(), actual.toArray(), expected.dims(), atol, rtol, what);
    }

    public static void assertClose(float[] expected, float[] actual, double atol, double rtol,
                                   String what) {
        assertClose(expected, actual, new int[] {expected.length}, atol, rtol, what);
    }

    private static void assertClose(float[] expected, float[] actual, int[] dims, double atol,
                                    double rtol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": " + actual.length + " values, expected "
                    + expected.length);
        }
        StringBuilder listed = new StringBuilder();
        int bad = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double diff = Math.abs(a - e);
            boolean ok = diff <= atol + rtol * Math.abs(e);       // false for NaN, as it should be
            maxDiff = Double.isNaN(diff) || diff > maxDiff ? diff : maxDiff;
            if (ok) continue;
            if (++bad <= MAX_LISTED) {
                listed.append(String.format(Locale.ROOT,
                        "%n  at %s: expected %.9g, actual %.9g, |diff| %.3g",
                        index(i, dims), e, a, diff));
            }
        }
        if (bad == 0) return;
        if (bad > MAX_LISTED) {
            listed.append(String.format(Locale.ROOT, "%n  … and %d more", bad - MAX_LISTED));
        }
        throw new AssertionError(String.format(Locale.ROOT, "%s: %d of %d values outside atol %.1e"
                + " + rtol %.1e·|expected| (max |diff| %.3g)%s",
                what, bad, expected.length, atol, rtol, maxDiff, listed));
    }

    /** max |actual − expected|, for the per-tensor report of the end-to-end test. */
    public static double maxAbsDiff(Tensor expected, Tensor actual) {
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        double m = 0;
        for (int i = 0; i < e.length; i++) m = Math.max(m, Math.abs((double) a[i] - e[i]));
        return m;
    }

    /** Flat index i as "[i] (n, c, h, w)" in the tensor's shape. */
    private static String index(int i, int[] dims) {
        if (dims.length <= 1) return "[" + i + "]";
        int[] idx = new int[dims.length];
        int rest = i;
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = rest % dims[d];
            rest /= dims[d];
        }
        StringBuilder sb = new StringBuilder("[" + i + "] (");
        for (int d = 0; d < idx.length; d++) sb.append(d == 0 ? "" : ", ").append(idx[d]);
        return sb.append(')').toString();
    }

    // ---------------------------------------------------------------- JSON

    /** A recursive-descent reader; fixtures nest a few levels, so recursion depth is no concern. */
    private static final class JsonReader {
        private final String s;
        private int pos;

        JsonReader(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') throw error("expected a key");
                String key = string();
                skipSpace();
                expect(':');
                m.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                l.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return l;
                }
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private BigDecimal number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) pos++;
            if (start == pos) throw error("unexpected character '" + s.charAt(pos) + "'");
            try {
                return new BigDecimal(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("bad number '" + s.substring(start, pos) + "'");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("expected " + word);
            pos += word.length();
            return v;
        }

        private char peek() {
            if (pos >= s.length()) throw error("unexpected end");
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        IllegalArgumentException error(String why) {
            int from = Math.max(0, pos - 20);
            int to = Math.min(s.length(), pos + 20);
            return new IllegalArgumentException("JSON: " + why + " at offset " + pos + " near '"
                    + s.substring(from, to) + "'");
        }
    }
}
