package org.finetune4j.nn.resnet;

import java.util.List;

/**
 * The shape of a ResNet. Stage s has blocksPerStage[s] blocks of width stageWidths[s]·
 * widthMultiplier (output channels ×expansion for Bottleneck); stage 1 has stride 1, later stages
 * stride 2 in their first block. The stem has stageWidths[0]·widthMultiplier channels.
 *
 * <p>Parameter counts (checked by tests): resnetMini(1, 10) 174,970; resnetMini(2, 10) 696,042;
 * resnet18(1000, IMAGENET) 11,689,512; resnet50(1000, IMAGENET) 25,557,032 (torchvision's).
 */
public record ResNetConfig(BlockType block, List<Integer> blocksPerStage,
                           List<Integer> stageWidths, int widthMultiplier, Stem stem,
                           int inChannels, int classes) {

    public ResNetConfig {
        blocksPerStage = List.copyOf(blocksPerStage);
        stageWidths = List.copyOf(stageWidths);
        if (blocksPerStage.isEmpty() || blocksPerStage.size() != stageWidths.size()) {
            throw new IllegalArgumentException("ResNetConfig: " + blocksPerStage.size()
                    + " stage depths for " + stageWidths.size() + " stage widths");
        }
        if (blocksPerStage.size() > Stage.values().length - 1) {
            throw new IllegalArgumentException("ResNetConfig: at most "
                    + (Stage.values().length - 1) + " stages, got " + blocksPerStage.size());
        }
        for (int i = 0; i < blocksPerStage.size(); i++) {
            if (blocksPerStage.get(i) < 1 || stageWidths.get(i) < 1) {
                throw new IllegalArgumentException("ResNetConfig: stage " + (i + 1) + " has "
                        + blocksPerStage.get(i) + " blocks of width " + stageWidths.get(i));
            }
        }
        if (widthMultiplier < 1 || inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("ResNetConfig: widthMultiplier " + widthMultiplier
                    + ", inChannels " + inChannels + ", classes " + classes + " must be positive");
        }
    }

    /** The canonical small network: 3x3 stem 1→16w, three stages of 2 BasicBlocks, 16w/32w/64w. */
    public static ResNetConfig resnetMini(int w, int classes) {
        return new ResNetConfig(BlockType.BASIC, List.of(2, 2, 2), List.of(16, 32, 64), w,
                Stem.SMALL, 1, classes);
    }

    public static ResNetConfig resnet18(int classes, Stem stem) {
        return imagenetShape(BlockType.BASIC, List.of(2, 2, 2, 2), classes, stem);
    }

    public static ResNetConfig resnet34(int classes, Stem stem) {
        return imagenetShape(BlockType.BASIC, List.of(3, 4, 6, 3), classes, stem);
    }

    public static ResNetConfig resnet50(int classes, Stem stem) {
        return imagenetShape(BlockType.BOTTLENECK, List.of(3, 4, 6, 3), classes, stem);
    }

    private static ResNetConfig imagenetShape(BlockType block, List<Integer> depths, int classes,
                                              Stem stem) {
        return new ResNetConfig(block, depths, List.of(64, 128, 256, 512), 1, stem, 3, classes);
    }

    public ResNetConfig withInChannels(int c) {
        return new ResNetConfig(block, blocksPerStage, stageWidths, widthMultiplier, stem, c,
                classes);
    }

    public ResNetConfig withClasses(int k) {
        return new ResNetConfig(block, blocksPerStage, stageWidths, widthMultiplier, stem,
                inChannels, k);
    }

    public ResNetConfig withStem(Stem s) {
        return new ResNetConfig(block, blocksPerStage, stageWidths, widthMultiplier, s, inChannels,
                classes);
    }

    public int stages() {
        return blocksPerStage.size();
    }

    /** Stem output channels. */
    public int stemWidth() {
        return stageWidths.get(0) * widthMultiplier;
    }

    /** Width of stage s (0-based) before expansion: a block's inner channels. */
    public int width(int s) {
        return stageWidths.get(s) * widthMultiplier;
    }

    /** Output channels of stage s (0-based). */
    public int outChannels(int s) {
        return width(s) * block.expansion();
    }

    /** Input features of the fc head. */
    public int featureDim() {
        return outChannels(stages() - 1);
    }
}
