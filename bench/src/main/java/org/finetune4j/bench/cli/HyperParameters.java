package org.finetune4j.bench.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.finetune4j.methods.delta.DeltaConfig;
import org.finetune4j.methods.l2sp.L2spConfig;

/**
 * The hyper-parameters the command line exposes per method, their defaults (the method configs'
 * paper defaults) and the default tuning grids. Names are the papers' symbols: alpha and beta of
 * L2-SP, explicit L2 and DELTA (shared/methods/l2sp.md and delta.md both say to re-tune alpha on
 * {1e-3, 1e-2, 1e-1, 1} for a small network; beta is searched on {0.01, 0.1} around the 0.01 of
 * both codes), hint_fraction of FitNets mode B (the share of epochs spent on hint training:
 * stage 1 minimises the hint loss alone and RMSProp is invariant to its scale, so in mode B a
 * "hint weight" only shows up as the length of stage 1) and k of freeze-k.
 * Maps are sorted by name, so a configuration has one text form, which names its run folder.
 */
final class HyperParameters {
    private HyperParameters() {}

    private static final List<Double> ALPHAS = List.of(0.001, 0.01, 0.1, 1.0);
    private static final List<Double> BETAS = List.of(0.01, 0.1);

    /** The defaults of one method; empty for methods with nothing to tune. */
    static Map<String, Double> defaults(String method) {
        Map<String, Double> m = new TreeMap<>();
        switch (method) {
            case "l2", "l2sp" -> {
                L2spConfig c = L2spConfig.defaults();
                m.put("alpha", c.alpha());
                m.put("beta", c.beta());
            }
            case "delta" -> {
                DeltaConfig c = DeltaConfig.defaults();
                m.put("alpha", c.alpha());
                m.put("beta", c.beta());
            }
            case "fitnets" -> m.put("hint_fraction", 0.25);
            case "freeze-k" -> m.put("k", 2.0);
            default -> { }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The grid --tune searches when no --tune-grid overrides it. */
    static Map<String, List<Double>> defaultGrid(String method) {
        Map<String, List<Double>> g = new TreeMap<>();
        switch (method) {
            case "l2", "l2sp", "delta" -> {
                g.put("alpha", ALPHAS);
                g.put("beta", BETAS);
            }
            case "fitnets" -> g.put("hint_fraction", List.of(0.1, 0.25, 0.5));
            case "freeze-k" -> g.put("k", List.of(1.0, 2.0));
            default -> { }
        }
        return g;
    }

    /** Every combination of the grid's values, the other parameters at their defaults. */
    static List<Map<String, Double>> expand(String method, Map<String, List<Double>> grid) {
        List<Map<String, Double>> out = new ArrayList<>();
        out.add(new TreeMap<>(defaults(method)));
        for (Map.Entry<String, List<Double>> axis : new TreeMap<>(grid).entrySet()) {
            List<Map<String, Double>> next = new ArrayList<>();
            for (Map<String, Double> partial : out) {
                for (double v : axis.getValue()) {
                    Map<String, Double> m = new TreeMap<>(partial);
                    m.put(axis.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * Parses repeated --tune-grid METHOD.PARAM=V1,V2,... into method -> param -> values.
     * IllegalArgumentException names the bad entry.
     */
    static Map<String, Map<String, List<Double>>> parseOverrides(List<String> entries) {
        Map<String, Map<String, List<Double>>> out = new LinkedHashMap<>();
        for (String e : entries) {
            int dot = e.indexOf('.');
            int eq = e.indexOf('=');
            if (dot <= 0 || eq <= dot + 1 || eq == e.length() - 1) {
                throw new IllegalArgumentException("--tune-grid '" + e + "' is not"
                        + " METHOD.PARAM=V1,V2,... (e.g. l2sp.alpha=0.001,0.01)");
            }
            String method = e.substring(0, dot);
            String param = e.substring(dot + 1, eq);
            if (!FineTuning.METHODS.contains(method)) {
                throw new IllegalArgumentException("--tune-grid '" + e + "': unknown method '"
                        + method + "'");
            }
            if (!defaults(method).containsKey(param)) {
                throw new IllegalArgumentException("--tune-grid '" + e + "': " + method
                        + (defaults(method).isEmpty() ? " has no hyper-parameters"
                        : " has " + String.join(", ", defaults(method).keySet()) + ", not '"
                        + param + "'"));
            }
            List<Double> values = new ArrayList<>();
            for (String v : e.substring(eq + 1).split(",", -1)) {
                double x;
                try {
                    x = Double.parseDouble(v.strip());
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("--tune-grid '" + e + "': '" + v
                            + "' is not a number");
                }
                String problem = check(method, param, x);
                if (problem != null) throw new IllegalArgumentException("--tune-grid '" + e
                        + "': " + problem);
                if (!values.contains(x)) values.add(x);
            }
            out.computeIfAbsent(method, k -> new TreeMap<>()).put(param, List.copyOf(values));
        }
        return out;
    }

    /** Why value cannot be used for method.param, or null. */
    static String check(String method, String param, double value) {
        if (!Double.isFinite(value) || value < 0) return param + " must be >= 0, got " + value;
        if (param.equals("hint_fraction") && value >= 1) {
            return "hint_fraction must be < 1 (stage 2 needs epochs), got " + value;
        }
        if (param.equals("k") && (value != Math.rint(value) || value > 3)) {
            return "k must be a whole number of stages in 0..3, got " + value;
        }
        return null;
    }

    /** "alpha=0.01_beta=0.1", or "default" for a method without hyper-parameters. */
    static String tag(Map<String, Double> hyper) {
        if (hyper.isEmpty()) return "default";
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : new TreeMap<>(hyper).entrySet()) {
            if (b.length() > 0) b.append('_');
            b.append(e.getKey()).append('=').append(format(e.getValue()));
        }
        return b.toString();
    }

    /** Shortest plain decimal: 0.001, 0.25, 1. */
    static String format(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
