package org.finetune4j.autograd.ops;

import java.util.List;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;

/** The first-order gradient ∂⟨y, dy⟩/∂x as an array, for tests of exact gradient values. */
final class Grad {
    private Grad() {}

    static float[] of(Variable y, Variable x, Variable dy, boolean createGraph) {
        Variable g = Graph.grad(List.of(y), List.of(x), List.of(dy), false, createGraph).get(0);
        return g.value().toArray();
    }

    static float[] of(Variable y, Variable x, Variable dy) {
        return of(y, x, dy, false);
    }
}
