package org.finetune4j.methods.l2sp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Tensor;

/**
 * w_S⁰: a frozen deep copy of the shared parameters, taken right after loading the pre-trained
 * weights. It never aliases a trainable tensor and nothing ever writes to it, so the optimiser's
 * in-place updates cannot move the anchor (spec test 6, "no aliasing").
 */
public final class StartingPoint {
    private final Map<String, Variable> w0;     // name → constant leaf over a private copy

    private StartingPoint(Map<String, Variable> w0) {
        this.w0 = Collections.unmodifiableMap(w0);
    }

    /** Copies the current values of shared (normally ResNet.backboneParameters()). */
    public static StartingPoint snapshot(Map<String, Parameter> shared) {
        Map<String, Variable> out = new LinkedHashMap<>();
        shared.forEach((k, p) -> out.put(k, Variable.constant(p.value().copy())));
        return new StartingPoint(out);
    }

    /** w⁰ = 0 with the shapes of shared: L2-SP then reduces to explicit L2 towards zero. */
    public static StartingPoint zeros(Map<String, Parameter> shared) {
        Map<String, Variable> out = new LinkedHashMap<>();
        shared.forEach((k, p) -> out.put(k, Variable.constant(p.value().zerosLike())));
        return new StartingPoint(out);
    }

    public Set<String> names() {
        return w0.keySet();
    }

    /** A copy of w⁰ for one parameter. */
    public Tensor get(String name) {
        return anchor(name).value().copy();
    }

    /** ‖w − w⁰‖² = Σ over tensors Σ over elements (w − w⁰)², a scalar with gradient 2(w − w⁰). */
    public Variable squaredDistance(Map<String, Parameter> params) {
        Variable sum = null;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Variable anchor = anchor(e.getKey());
            Variable w = e.getValue().variable();
            if (!w.shape().equals(anchor.shape())) {
                throw new IllegalArgumentException("StartingPoint: " + e.getKey() + " has shape "
                        + w.shape() + " but w0 has " + anchor.shape());
            }
            Variable d = w.sub(anchor).square().sum();
            sum = sum == null ? d : sum.add(d);
        }
        if (sum == null) throw new IllegalArgumentException("StartingPoint: no parameters given");
        return sum;
    }

    private Variable anchor(String name) {
        Variable a = w0.get(name);
        if (a == null) {
            throw new IllegalArgumentException("StartingPoint: no w0 for \"" + name + "\"; has "
                    + w0.keySet());
        }
        return a;
    }
}
