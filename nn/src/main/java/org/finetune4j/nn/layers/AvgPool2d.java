package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/**
 * PyTorch's nn.AvgPool2d(kernel, stride, padding) over (n, c, h, w) with its default
 * count_include_pad = True: every window divides by k·k, padded zeros included.
 */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Variable forward(Variable x) {
        return x.avgPool2d(kernel, stride, padding);
    }

    @Override
    protected AvgPool2d duplicate() {
        return new AvgPool2d(kernel, stride, padding);
    }
}
