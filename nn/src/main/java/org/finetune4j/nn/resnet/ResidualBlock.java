package org.finetune4j.nn.resnet;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Sequential;

/**
 * A ResNet block: y = ReLU(residual(x) + shortcut(x)), where residual ends in a conv and its BN
 * and shortcut is the identity or "downsample" (1x1 conv with the block's stride, then BN).
 * The pieces are public so the transfer methods can recombine them (SpotTune mixes the residual
 * branches of two copies; DELTA reads the last conv's pre-BN output; TransTailor scales and
 * prunes the inner channels after bn1).
 */
public sealed interface ResidualBlock permits BasicBlock, Bottleneck {
    /** A block's output y and its last conv's output before that conv's BN (DELTA's tap). */
    record Output(Variable y, Variable lastConvPreBn) {}

    Variable forward(Variable x);

    Output forwardWithTap(Variable x);

    /**
     * The forward with every channel of bn1's output multiplied by alpha (c_inner) before the
     * ReLU: TransTailor's target-aware factors (alpha = 1 is the plain forward; 0 masks).
     */
    Variable forwardScaled(Variable x, Variable alpha);

    /** The branch before the addition (ends with the last BN). */
    Variable residual(Variable x);

    /** x itself, or downsample(x). */
    Variable shortcut(Variable x);

    /** The projection (Conv2d, BatchNorm2d), or null for an identity shortcut. */
    Sequential downsample();

    int inChannels();

    /** Channels after bn1: the prunable inner width. */
    int innerChannels();

    int outChannels();

    int stride();

    /** A new block without the listed output channels of conv1 (and of bn1, and conv2's inputs). */
    ResidualBlock withoutInnerChannels(int... remove);

    ResidualBlock copy();

    /** This block as the Module it is. */
    default Module module() {
        return (Module) this;
    }
}
