package org.finetune4j.nn.resnet;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Sequential;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.nn.layers.ReLU;
import org.finetune4j.tensor.Rng;

/**
 * torchvision's Bottleneck (ResNet v1.5): conv1 1x1 in → width, conv2 3x3 width → width with the
 * stride, conv3 1x1 width → 4·width, each followed by BN, ReLU after bn1, bn2 and the addition;
 * downsample = (conv 1x1/stride, BN) when the stride or the width changes. Children conv1, bn1,
 * conv2, bn2, conv3, bn3, relu, (downsample), as in torchvision.
 */
public final class Bottleneck extends Module implements ResidualBlock {
    private final Conv2d conv1;                         // in → inner, 1x1
    private final BatchNorm2d bn1;
    private final Conv2d conv2;                         // inner → inner, 3x3, stride
    private final BatchNorm2d bn2;
    private final Conv2d conv3;                         // inner → out, 1x1
    private final BatchNorm2d bn3;
    private final Sequential downsample;                // (conv 1x1, BN), or null

    /** width = the stage width; the block outputs 4·width channels. */
    public Bottleneck(int in, int width, int stride, Rng rng) {
        this(new Conv2d(in, width, 1, 1, 0, false, rng), new BatchNorm2d(width),
                new Conv2d(width, width, 3, stride, 1, false, rng), new BatchNorm2d(width),
                new Conv2d(width, 4 * width, 1, 1, 0, false, rng), new BatchNorm2d(4 * width),
                stride != 1 || in != 4 * width
                        ? BasicBlock.projection(in, 4 * width, stride, rng) : null);
    }

    /** A block from existing parts (registered as they are, not copied). */
    public Bottleneck(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Conv2d conv3,
                      BatchNorm2d bn3, Sequential downsample) {
        if (conv1.outChannels() != bn1.channels() || bn1.channels() != conv2.inChannels()
                || conv2.outChannels() != bn2.channels() || bn2.channels() != conv3.inChannels()
                || conv3.outChannels() != bn3.channels()) {
            throw new IllegalArgumentException("Bottleneck parts do not chain: " + conv1 + ", "
                    + bn1 + ", " + conv2 + ", " + bn2 + ", " + conv3 + ", " + bn3);
        }
        if (downsample == null && (conv2.stride() != 1 || conv1.inChannels() != bn3.channels())) {
            throw new IllegalArgumentException("Bottleneck " + conv1.inChannels() + " → "
                    + bn3.channels() + " with stride " + conv2.stride() + " needs a downsample");
        }
        this.conv1 = child("conv1", conv1);
        this.bn1 = child("bn1", bn1);
        this.conv2 = child("conv2", conv2);
        this.bn2 = child("bn2", bn2);
        this.conv3 = child("conv3", conv3);
        this.bn3 = child("bn3", bn3);
        child("relu", new ReLU());
        this.downsample = downsample == null ? null : child("downsample", downsample);
    }

    @Override
    public Variable forward(Variable x) {
        return residual(x).add(shortcut(x)).relu();
    }

    @Override
    public Output forwardWithTap(Variable x) {
        Variable z = conv3.forward(afterConv1(bn1.forward(conv1.forward(x))));   // pre-BN
        return new Output(bn3.forward(z).add(shortcut(x)).relu(), z);
    }

    @Override
    public Variable forwardScaled(Variable x, Variable alpha) {
        Variable h = bn1.forward(conv1.forward(x)).mul(alpha.reshape(1, innerChannels(), 1, 1));
        return bn3.forward(conv3.forward(afterConv1(h))).add(shortcut(x)).relu();
    }

    @Override
    public Variable residual(Variable x) {
        return bn3.forward(conv3.forward(afterConv1(bn1.forward(conv1.forward(x)))));
    }

    /** ReLU, conv2, bn2, ReLU: from bn1's output to conv3's input. */
    private Variable afterConv1(Variable h1) {
        return bn2.forward(conv2.forward(h1.relu())).relu();
    }

    @Override
    public Variable shortcut(Variable x) {
        return downsample == null ? x : downsample.forward(x);
    }

    @Override
    public Bottleneck withoutInnerChannels(int... remove) {
        Pruning.Chain p = Pruning.removeOutputChannels(conv1, bn1, conv2, remove);
        return Pruning.inheritFlags(this, new Bottleneck(p.conv(), p.bn(), p.next(), bn2.copy(),
                conv3.copy(), bn3.copy(), downsample == null ? null : downsample.copy()));
    }

    @Override
    public Bottleneck copy() {
        return (Bottleneck) super.copy();
    }

    @Override
    protected Bottleneck duplicate() {
        return new Bottleneck(conv1.copy(), bn1.copy(), conv2.copy(), bn2.copy(), conv3.copy(),
                bn3.copy(), downsample == null ? null : downsample.copy());
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

    public Conv2d conv3() {
        return conv3;
    }

    public BatchNorm2d bn3() {
        return bn3;
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
        return bn3.channels();
    }

    @Override
    public int stride() {
        return conv2.stride();
    }
}
