package org.finetune4j.nn.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer for reports (metric histories, run manifests), with no library. Values:
 * Map (keys as strings, in the map's order), Collection, double[], float[], int[], long[] and
 * arrays of those, String, Boolean, Number, null. NaN and ±Infinity become null, since JSON has
 * no such numbers. Objects go one member per line; arrays of scalars stay on one line.
 */
public final class JsonText {
    private static final String INDENT = "  ";

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
        b.append(Json.quote(s));                          // one escaping rule for every JSON we write
    }
}
