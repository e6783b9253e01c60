package org.finetune4j.methods;

import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.optim.Optimizer;

/**
 * The one composition helper of regularised methods: total = sum of the named terms, then
 * zero-grad, backward, optimiser step. Terms are added in the map's order, so the loss value is
 * reproducible bit for bit.
 */
public final class Objective {
    private Objective() {
    }

    public static LossTerms minimise(Optimizer optimizer, Map<String, Variable> terms) {
        Variable total = null;
        LossTerms out = null;
        for (Map.Entry<String, Variable> e : terms.entrySet()) {
            total = total == null ? e.getValue() : total.add(e.getValue());
            out = out == null ? LossTerms.of(e.getKey(), e.getValue())
                    : out.and(e.getKey(), e.getValue());
        }
        if (total == null) throw new IllegalArgumentException("Objective: no terms");
        optimizer.zeroGrad();
        total.backward();
        optimizer.step();
        return out;
    }
}
