package org.finetune4j.autograd;

/** How a per-sample loss is reduced: PyTorch's reduction = 'mean' | 'sum' | 'none'. */
public enum Reduction {
    MEAN, SUM, NONE;

    Variable reduce(Variable perSample) {
        return switch (this) {
            case MEAN -> perSample.mean();
            case SUM -> perSample.sum();
            case NONE -> perSample;
        };
    }
}
