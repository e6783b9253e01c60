package org.finetune4j.nn.io;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.tensor.Shape;

/**
 * What loading a state dict into a module did or would do, by key: loaded (name and shape
 * match), missing (the module has it, the state dict does not), unexpected (the reverse) and
 * misShaped (both have it, with different shapes). Lists keep the module's or the file's order.
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected,
                         List<ShapeMismatch> misShaped) {
    private static final int SHOWN = 10;                   // names per list in a message (llm.c)

    public record ShapeMismatch(String name, Shape expected, Shape found) {
        @Override
        public String toString() {
            return name + " (module " + expected + ", state dict " + found + ")";
        }
    }

    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        misShaped = List.copyOf(misShaped);
    }

    /** True when every key matched: strict loading succeeds exactly then. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty();
    }

    public List<String> misShapedNames() {
        List<String> names = new ArrayList<>();
        for (ShapeMismatch m : misShaped) names.add(m.name());
        return names;
    }

    /** One line per non-empty problem list, at most ten names each. */
    public String describe() {
        if (clean()) return "all " + loaded.size() + " keys match";
        StringBuilder b = new StringBuilder();
        append(b, "missing", missing);
        append(b, "unexpected", unexpected);
        append(b, "mis-shaped", misShaped);
        return b.toString();
    }

    private static void append(StringBuilder b, String label, List<?> items) {
        if (items.isEmpty()) return;
        if (b.length() > 0) b.append('\n');
        b.append(label).append(" (").append(items.size()).append("): ");
        for (int i = 0; i < Math.min(SHOWN, items.size()); i++) {
            b.append(i == 0 ? "" : ", ").append(items.get(i));
        }
        if (items.size() > SHOWN) b.append(", … and ").append(items.size() - SHOWN).append(" more");
    }
}
