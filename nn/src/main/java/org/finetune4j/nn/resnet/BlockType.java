package org.finetune4j.nn.resnet;

/** The residual block of a ResNet; expansion = block output channels / stage width. */
public enum BlockType {
    /** Two 3x3 convolutions (ResNet-18/34, resnet-mini). */
    BASIC(1),
    /** 1x1 → 3x3 (carries the stride, torchvision v1.5) → 1x1 with 4x expansion (ResNet-50). */
    BOTTLENECK(4);

    private final int expansion;

    BlockType(int expansion) {
        this.expansion = expansion;
    }

    public int expansion() {
        return expansion;
    }
}
