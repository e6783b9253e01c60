package org.finetune4j.nn.resnet;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Sequential;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.nn.layers.ReLU;
import org.finetune4j.tensor.Rng;

/**
 * torchvision's BasicBlock: y = ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x)), with 3x3
 * convolutions without bias, the stride on conv1, and downsample = (conv 1x1/stride, BN) when the
 * stride or the width changes. Children conv1, bn1, relu, conv2, bn2, (downsample), as in
 * torchvision, so the keys are layer1.0.conv1.weight, layer2.0.downsample.1.running_mean, ….
 */
public final class BasicBlock extends Module implements ResidualBlock {
    private final Conv2d conv1;                         // in → inner, 3x3, stride
    private final BatchNorm2d bn1;
    private final Conv2d conv2;                         // inner → out, 3x3
    private final BatchNorm2d bn2;
    private final Sequential downsample;                // (conv 1x1, BN), or null

    public BasicBlock(int in, int out, int stride, Rng rng) {
        this(new Conv2d(in, out, 3, stride, 1, false, rng), new BatchNorm2d(out),
                new Conv2d(out, out, 3, 1, 1, false, rng), new BatchNorm2d(out),
                stride != 1 || in != out ? projection(in, out, stride, rng) : null);
    }

    static Sequential projection(int in, int out, int stride, Rng rng) {
        return new Sequential(new Conv2d(in, out, 1, stride, 0, false, rng), new BatchNorm2d(out));
    }

    /** A block from existing parts (registered as they are, not copied). */
    public BasicBlock(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2,
                      Sequential downsample) {
        if (conv1.outChannels() != bn1.channels() || bn1.channels() != conv2.inChannels()
                || conv2.outChannels() != bn2.channels()) {
            throw new IllegalArgumentException("BasicBlock parts do not chain: " + conv1 + ", "
                    + bn1 + ", " + conv2 + ", " + bn2);
        }
        if (downsample == null && (conv1.stride() != 1 || conv1.inChannels() != bn2.channels())) {
            throw new IllegalArgumentException("BasicBlock " + conv1.inChannels() + " → "
                    + bn2.channels() + " with stride " + conv1.stride() + " needs a downsample");
        }
        this.conv1 = child("conv1", conv1);
        this.bn1 = child("bn1", bn1);
        child("relu", new ReLU());
        this.conv2 = child("conv2", conv2);
        this.bn2 = child("bn2", bn2);
        this.downsample = downsample == null ? null : child("downsample", downsample);
    }

    @Override
    public Variable forward(Variable x) {
        return residual(x).add(shortcut(x)).relu();
    }

    @Override
    public Output forwardWithTap(Variable x) {
        Variable z = conv2.forward(bn1.forward(conv1.forward(x)).relu());   // pre-BN (n, out, h, w)
        return new Output(bn2.forward(z).add(shortcut(x)).relu(), z);
    }

    @Override
    public Variable forwardScaled(Variable x, Variable alpha) {
        Variable h = bn1.forward(conv1.forward(x));
        h = h.mul(alpha.reshape(1, innerChannels(), 1, 1)).relu();
        return bn2.forward(conv2.forward(h)).add(shortcut(x)).relu();
    }

    @Override
    public Variable residual(Variable x) {
        return bn2.forward(conv2.forward(bn1.forward(conv1.forward(x)).relu()));
    }

    @Override
    public Variable shortcut(Variable x) {
        return downsample == null ? x : downsample.forward(x);
    }

    @Override
    public BasicBlock withoutInnerChannels(int... remove) {
        Pruning.Chain p = Pruning.removeOutputChannels(conv1, bn1, conv2, remove);
        return Pruning.inheritFlags(this, new BasicBlock(p.conv(), p.bn(), p.next(), bn2.copy(),
                downsample == null ? null : downsample.copy()));
    }

    @Override
    public BasicBlock copy() {
        return (BasicBlock) super.copy();
    }

    @Override
    protected BasicBlock duplicate() {
        return new BasicBlock(conv1.copy(), bn1.copy(), conv2.copy(), bn2.copy(),
                downsample == null ? null : downsample.copy());
    }

    public Conv2d conv1() {
        return conv1;
    }

    public BatchNorm2d bn1() {
        return bn1;
    }

    public Conv2d conv2() {
        return conv2;
    }

    public BatchNorm2d bn2() {
        return bn2;
    }

    @Override
    public Sequential downsample() {
        return downsample;
    }

    @Override
    public int inChannels() {
        return conv1.inChannels();
    }

    @Override
    public int innerChannels() {
        return bn1.channels();
    }

    @Override
    public int outChannels() {
        return bn2.channels();
    }

    @Override
    public int stride() {
        return conv1.stride();
    }
}
