package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/** PyTorch's nn.MaxPool2d(kernel, stride, padding) over (n, c, h, w); padding counts as −∞. */
public final class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Variable forward(Variable x) {
        return x.maxPool2d(kernel, stride, padding);
    }

    @Override
    protected MaxPool2d duplicate() {
        return new MaxPool2d(kernel, stride, padding);
    }
}
