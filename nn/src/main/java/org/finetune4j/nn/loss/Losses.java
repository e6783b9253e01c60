package org.finetune4j.nn.loss;

import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;

/** The reduction shared by the losses (autograd keeps its own package-private). */
final class Losses {
    private Losses() {}

    static Variable reduce(Variable perElement, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case NONE -> perElement;
        };
    }
}
