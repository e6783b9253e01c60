package org.finetune4j.nn.resnet;

/**
 * A feature point of a ResNet, as the method specs name them: F0 is the stem output (the input
 * of layer1), Fk the output of stage k (layerk). resnet-mini has F0..F3, ResNet-18/34/50 F0..F4.
 */
public enum Stage {
    F0, F1, F2, F3, F4;

    /** Position in {@link Features#outputs()}: 0 for the stem, k for stage k. */
    public int index() {
        return ordinal();
    }
}
