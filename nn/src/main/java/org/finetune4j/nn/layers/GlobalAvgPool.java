package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/**
 * (n, c, h, w) → (n, c), the mean over the spatial axes: torchvision's avgpool
 * (AdaptiveAvgPool2d(1)) and the flatten after it, in one step.
 */
public final class GlobalAvgPool extends Module {
    @Override
    public Variable forward(Variable x) {
        return x.globalAvgPool();
    }

    @Override
    protected GlobalAvgPool duplicate() {
        return new GlobalAvgPool();
    }
}
