package org.finetune4j.nn.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Tensor;

/**
 * What every optimiser keeps besides its options: the groups, each group's current learning rate,
 * and per parameter a step count and named buffers, allocated on the parameter's first update (as
 * PyTorch's lazy state). It also converts that state to and from the checkpoint maps.
 *
 * <p>Keys. Tensors: "&lt;key&gt;.&lt;buffer&gt;" with PyTorch's buffer names (momentum_buffer,
 * square_avg, grad_avg, exp_avg, exp_avg_sq, max_exp_avg_sq), where &lt;key&gt; is the parameter's
 * name from its {@link ParamGroup} or else "&lt;group&gt;.&lt;index&gt;". Scalars:
 * "&lt;key&gt;.step" (PyTorch 1.13 counts steps per parameter, which matters when a parameter
 * misses a gradient), "lr.&lt;group&gt;" (the current rate, restored as PyTorch does) and
 * "optimizer" (the class that wrote it). A parameter without a step entry has no state yet.
 */
public final class OptimizerState {
    static final String OPTIMIZER_KEY = "optimizer";
    private static final int MAX_LISTED = 10;

    /** One parameter's state. */
    static final class Slot {
        final Parameter param;
        final String key;
        final int group;
        long step;              // updates applied to this parameter
        Tensor[] buffers;       // one per buffer name, shaped like param; null before the first

        Slot(Parameter param, String key, int group) {
            this.param = param;
            this.key = key;
            this.group = group;
        }

        /** The gradient to apply, or null when the parameter is frozen or got none. */
        Tensor grad() {
            if (!param.trainable()) return null;
            Tensor g = param.grad();
            if (g != null && !g.shape().equals(param.value().shape())) {
                throw new IllegalStateException("gradient of '" + key + "' has shape " + g.shape()
                        + ", parameter " + param.value().shape());
            }
            return g;
        }
    }

    private final String optimizer;
    private final List<ParamGroup> groups;
    private final double[] lr;                 // current rate per group
    private final List<String> bufferNames;
    private final List<Slot> slots = new ArrayList<>();

    OptimizerState(String optimizer, List<ParamGroup> groups, List<String> bufferNames) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(optimizer + ": no parameter groups");
        }
        this.optimizer = optimizer;
        this.groups = List.copyOf(groups);
        this.bufferNames = List.copyOf(bufferNames);
        this.lr = new double[groups.size()];
        Map<Parameter, String> seen = new IdentityHashMap<>();
        Map<String, Integer> keys = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            lr[g] = group.lr();
            for (int i = 0; i < group.params().size(); i++) {
                Parameter p = group.params().get(i);
                String key = group.names() == null ? g + "." + i : group.names().get(i);
                String before = seen.put(p, key);
                if (before != null) {
                    throw new IllegalArgumentException(optimizer + ": parameter '" + key
                            + "' (group " + g + ") is already listed as '" + before + "'");
                }
                Integer other = keys.put(key, g);
                if (other != null) {
                    throw new IllegalArgumentException(optimizer + ": two parameters named '" + key
                            + "' (groups " + other + " and " + g + ")");
                }
                slots.add(new Slot(p, key, g));
            }
        }
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    public double lr(int group) {
        return lr[group];
    }

    public void setLr(int group, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(optimizer + ": invalid learning rate " + value
                    + " for group " + group);
        }
        lr[group] = value;
    }

    List<Slot> slots() {
        return slots;
    }

    double weightDecay(Slot s) {
        return groups.get(s.group).weightDecay();
    }

    /**
     * The slot's buffers, allocated as zeros on first use on the parameter's device, and moved
     * there when the parameter has moved since (Module.to after the optimiser was built).
     */
    Tensor[] buffers(Slot s) {
        Tensor w = s.param.value();
        if (s.buffers == null) {
            s.buffers = new Tensor[bufferNames.size()];
            for (int b = 0; b < s.buffers.length; b++) s.buffers[b] = w.zerosLike();
        }
        for (int b = 0; b < s.buffers.length; b++) s.buffers[b] = s.buffers[b].to(w.device());
        return s.buffers;
    }

    // ---------------------------------------------------------------- checkpoint maps

    /** Copies of every buffer, in parameter order; the optimiser may keep stepping afterwards. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.buffers == null) continue;
            for (int b = 0; b < bufferNames.size(); b++) {
                out.put(s.key + "." + bufferNames.get(b), s.buffers[b].copy());
            }
        }
        return out;
    }

    public Map<String, String> scalars() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(OPTIMIZER_KEY, optimizer);
        for (int g = 0; g < lr.length; g++) out.put("lr." + g, Double.toString(lr[g]));
        for (Slot s : slots) {
            if (s.step > 0) out.put(s.key + ".step", Long.toString(s.step));
        }
        return out;
    }

    /**
     * Replaces the whole state (parameters absent from the maps start afresh). All or nothing:
     * every problem is collected and reported before anything changes.
     */
    public void load(Map<String, Tensor> tensors, Map<String, String> scalars) {
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> unusedTensors = new LinkedHashMap<>(tensors);
        Map<String, String> unusedScalars = new LinkedHashMap<>(scalars);
        String writer = unusedScalars.remove(OPTIMIZER_KEY);
        if (writer != null && !writer.equals(optimizer)) {
            problems.add("state was written by " + writer + ", not " + optimizer);
        }
        double[] newLr = lr.clone();
        for (int g = 0; g < lr.length; g++) {
            String v = unusedScalars.remove("lr." + g);
            if (v == null) continue;
            newLr[g] = parseNumber(v);
            if (!(newLr[g] >= 0) || Double.isInfinite(newLr[g])) {
                problems.add("scalar 'lr." + g + "' = '" + v + "' is not a learning rate");
            }
        }
        long[] steps = new long[slots.size()];
        Tensor[][] buffers = new Tensor[slots.size()][];
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            String v = unusedScalars.remove(s.key + ".step");
            if (v == null) continue;
            steps[i] = parseStep(s.key + ".step", v, problems);
            buffers[i] = takeBuffers(s, unusedTensors, problems);
        }
        unusedTensors.keySet().forEach(k -> problems.add("unexpected tensor '" + k + "'"
                + (ownerOf(k) == null ? "" : " (its parameter has no '.step' scalar)")));
        unusedScalars.keySet().forEach(k -> problems.add("unexpected scalar '" + k + "'"));
        if (!problems.isEmpty()) throw new IllegalArgumentException(report(problems));
        System.arraycopy(newLr, 0, lr, 0, lr.length);
        for (int i = 0; i < slots.size(); i++) {
            slots.get(i).step = steps[i];
            slots.get(i).buffers = buffers[i];
        }
    }

    private Tensor[] takeBuffers(Slot s, Map<String, Tensor> unused, List<String> problems) {
        if (bufferNames.isEmpty()) return null;
        Tensor[] out = new Tensor[bufferNames.size()];
        for (int b = 0; b < out.length; b++) {
            String k = s.key + "." + bufferNames.get(b);
            Tensor t = unused.remove(k);
            if (t == null) {
                problems.add("missing tensor '" + k + "' for parameter '" + s.key + "'");
            } else if (!t.shape().equals(s.param.value().shape())) {
                problems.add("tensor '" + k + "' has shape " + t.shape() + ", parameter '" + s.key
                        + "' has " + s.param.value().shape());
            } else {
                Tensor w = s.param.value();                      // copy onto w's device
                out[b] = t.device().equals(w.device()) ? t.copy() : t.to(w.device());
            }
        }
        return out;
    }

    private String ownerOf(String tensorKey) {
        for (Slot s : slots) {
            for (String b : bufferNames) if (tensorKey.equals(s.key + "." + b)) return s.key;
        }
        return null;
    }

    private static double parseNumber(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;                                   // reported by the caller
        }
    }

    private static long parseStep(String key, String v, List<String> problems) {
        try {
            long step = Long.parseLong(v);
            if (step >= 1) return step;
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("scalar '" + key + "' = '" + v + "' is not a step count (an integer ≥ 1)");
        return 0;
    }

    private String report(List<String> problems) {
        StringBuilder sb = new StringBuilder(optimizer + ".loadState: " + problems.size()
                + " problem(s)");
        for (String p : problems.subList(0, Math.min(MAX_LISTED, problems.size()))) {
            sb.append("\n  ").append(p);
        }
        if (problems.size() > MAX_LISTED) {
            sb.append("\n  … and ").append(problems.size() - MAX_LISTED).append(" more");
        }
        return sb.append("\n  (parameters here: ").append(keysPreview()).append(')').toString();
    }

    private String keysPreview() {
        List<String> keys = new ArrayList<>();
        for (Slot s : slots) keys.add(s.key);
        return keys.size() <= MAX_LISTED ? keys.toString()
                : keys.subList(0, MAX_LISTED) + " … (" + keys.size() + " in all)";
    }
}
