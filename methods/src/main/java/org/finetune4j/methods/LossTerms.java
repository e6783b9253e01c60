package org.finetune4j.methods;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.autograd.Variable;

/**
 * The named scalar terms of one training step, in the order the objective adds them ("task",
 * "omega_start", "omega_head", …). Immutable; {@link #total()} is their sum, i.e. the value
 * that was back-propagated.
 */
public final class LossTerms {
    private final Map<String, Float> terms;

    private LossTerms(Map<String, Float> terms) {
        this.terms = Collections.unmodifiableMap(terms);
    }

    public static LossTerms of(String name, float value) {
        return new LossTerms(new LinkedHashMap<>()).and(name, value);
    }

    public static LossTerms of(String name, Variable scalar) {
        return of(name, scalar.item());
    }

    /** A copy with one more term appended; names must be unique. */
    public LossTerms and(String name, float value) {
        if (terms.containsKey(name)) {
            throw new IllegalArgumentException("LossTerms: duplicate term \"" + name + "\" in "
                    + terms.keySet());
        }
        Map<String, Float> next = new LinkedHashMap<>(terms);
        next.put(name, value);
        return new LossTerms(next);
    }

    public LossTerms and(String name, Variable scalar) {
        return and(name, scalar.item());
    }

    /** Term by name; throws if the step did not produce it. */
    public float get(String name) {
        Float v = terms.get(name);
        if (v == null) {
            throw new IllegalArgumentException("LossTerms: no term \"" + name + "\" in "
                    + terms.keySet());
        }
        return v;
    }

    /** Name to value, in objective order. */
    public Map<String, Float> asMap() {
        return terms;
    }

    /** Sum of the terms, accumulated in double in insertion order. */
    public float total() {
        double sum = 0;
        for (float v : terms.values()) sum += v;
        return (float) sum;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        terms.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        return sb.append("total=").append(total()).toString();
    }
}
