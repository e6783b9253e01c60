package org.finetune4j.nn.resnet;

/** The layers before layer1. */
public enum Stem {
    /** conv 3x3/1 pad 1, BN, ReLU; no max-pool: for 28x28 and 32x32 inputs (CIFAR-style). */
    SMALL,
    /** conv 7x7/2 pad 3, BN, ReLU, max-pool 3/2 pad 1: torchvision's ImageNet stem. */
    IMAGENET
}
