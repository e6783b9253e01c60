package org.finetune4j.nn.resnet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.Sequential;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.nn.layers.GlobalAvgPool;
import org.finetune4j.nn.layers.Linear;
import org.finetune4j.nn.layers.MaxPool2d;
import org.finetune4j.nn.layers.ReLU;
import org.finetune4j.tensor.Rng;

/**
 * A ResNet with torchvision's module names: conv1, bn1, relu, (maxpool), layer1..layerK of
 * blocks "0", "1", …, avgpool, fc. So a state dict moves to and from PyTorch unchanged, and the
 * head is every parameter under "fc." ({@link #headParameters()}). The forward is
 * head(layers(stem(x))); the pieces are public for methods that recombine them, and
 * {@link #forwardWithFeatures} returns the typed feature points F0..FK.
 *
 * <p>Initialisation is PyTorch's per-layer default (not torchvision's kaiming_normal_ re-init of
 * convolutions), BN γ = 1, β = 0.
 */
public final class ResNet extends Module {
    public static final String HEAD = "fc";             // the head's name and parameter prefix

    private ResNetConfig config;                        // classes changes with replaceHead
    private final Conv2d conv1;                         // in → stem width
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;                    // IMAGENET stem only, else null
    private final List<Sequential> layers;              // one per stage
    private final List<List<ResidualBlock>> blocks;     // the same blocks, typed
    private Linear fc;                                  // featureDim → classes

    public ResNet(ResNetConfig config, Rng rng) {
        this(config, stemConv(config, rng), new BatchNorm2d(config.stemWidth()),
                buildStages(config, rng), null, rng);
    }

    private static Conv2d stemConv(ResNetConfig c, Rng rng) {
        return switch (c.stem()) {
            case SMALL -> new Conv2d(c.inChannels(), c.stemWidth(), 3, 1, 1, false, rng);
            case IMAGENET -> new Conv2d(c.inChannels(), c.stemWidth(), 7, 2, 3, false, rng);
        };
    }

    private static List<List<ResidualBlock>> buildStages(ResNetConfig c, Rng rng) {
        List<List<ResidualBlock>> stages = new ArrayList<>();
        int in = c.stemWidth();
        for (int s = 0; s < c.stages(); s++) {
            List<ResidualBlock> stage = new ArrayList<>();
            for (int b = 0; b < c.blocksPerStage().get(s); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                stage.add(switch (c.block()) {
                    case BASIC -> new BasicBlock(in, c.width(s), stride, rng);
                    case BOTTLENECK -> new Bottleneck(in, c.width(s), stride, rng);
                });
                in = c.outChannels(s);
            }
            stages.add(stage);
        }
        return stages;
    }

    /** From parts (registered as they are); fc null means a new head drawn from rng. */
    ResNet(ResNetConfig config, Conv2d conv1, BatchNorm2d bn1, List<List<ResidualBlock>> stages,
           Linear fc, Rng rng) {
        if (stages.size() != config.stages()) {
            throw new IllegalArgumentException(stages.size() + " stages for a config with "
                    + config.stages());
        }
        this.config = config;
        this.conv1 = child("conv1", conv1);
        this.bn1 = child("bn1", bn1);
        child("relu", new ReLU());
        this.maxpool = config.stem() == Stem.IMAGENET ? child("maxpool", new MaxPool2d(3, 2, 1))
                : null;
        this.layers = new ArrayList<>();
        this.blocks = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            List<Module> modules = new ArrayList<>();
            for (ResidualBlock b : stages.get(s)) modules.add(b.module());
            layers.add(child("layer" + (s + 1), new Sequential(modules)));
            blocks.add(List.copyOf(stages.get(s)));
        }
        child("avgpool", new GlobalAvgPool());
        this.fc = child(HEAD, fc != null ? fc
                : new Linear(config.featureDim(), config.classes(), true, rng));
    }

    // ---------------------------------------------------------------- forward

    @Override
    public Variable forward(Variable x) {
        Variable h = stem(x);
        for (Sequential layer : layers) h = layer.forward(h);
        return head(h);
    }

    /** conv1, bn1, ReLU (and max-pool): (n, in, H, W) → F0. */
    public Variable stem(Variable x) {
        Variable h = bn1.forward(conv1.forward(x)).relu();
        return maxpool == null ? h : maxpool.forward(h);
    }

    /** Global average pool then fc: (n, featureDim, h, w) → logits (n, classes). */
    public Variable head(Variable features) {
        return fc.forward(features.globalAvgPool());
    }

    /** The forward, keeping every feature point and DELTA's pre-BN taps. */
    public Features forwardWithFeatures(Variable x) {
        List<Variable> outputs = new ArrayList<>();
        List<Variable> preBn = new ArrayList<>();
        Variable z = conv1.forward(x);
        Variable h = bn1.forward(z).relu();
        h = maxpool == null ? h : maxpool.forward(h);
        outputs.add(h);
        preBn.add(z);
        for (List<ResidualBlock> stage : blocks) {
            for (int b = 0; b + 1 < stage.size(); b++) h = stage.get(b).forward(h);
            ResidualBlock.Output last = stage.get(stage.size() - 1).forwardWithTap(h);
            h = last.y();
            outputs.add(h);
            preBn.add(last.lastConvPreBn());
        }
        Variable pooled = h.globalAvgPool();
        return new Features(outputs, preBn, pooled, fc.forward(pooled));
    }

    // ---------------------------------------------------------------- head and backbone

    /** A new fc for a target task with k classes (PyTorch's default init from rng). */
    public Linear replaceHead(int classes, Rng rng) {
        fc = replaceChild(HEAD, new Linear(config.featureDim(), classes, true, rng));
        config = config.withClasses(classes);
        return fc;
    }

    /** True for a parameter (or buffer) name of the head. */
    public static boolean isHead(String name) {
        return name.startsWith(HEAD + ".");
    }

    public Map<String, Parameter> headParameters() {
        return filtered(true);
    }

    /** Every parameter except the head's: what L2-SP regularises and a linear probe freezes. */
    public Map<String, Parameter> backboneParameters() {
        return filtered(false);
    }

    private Map<String, Parameter> filtered(boolean head) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (isHead(k) == head) out.put(k, p);
        });
        return out;
    }

    // ---------------------------------------------------------------- structure

    public ResNetConfig config() {
        return config;
    }

    public Conv2d conv1() {
        return conv1;
    }

    public BatchNorm2d bn1() {
        return bn1;
    }

    public Linear fc() {
        return fc;
    }

    /** layer{s+1} (s 0-based). */
    public Sequential layer(int s) {
        return layers.get(s);
    }

    /** The blocks of stage s (0-based), in order. */
    public List<ResidualBlock> blocks(int s) {
        return blocks.get(s);
    }

    /** Every block, stage by stage. */
    public List<ResidualBlock> blocks() {
        List<ResidualBlock> all = new ArrayList<>();
        blocks.forEach(all::addAll);
        return all;
    }

    public int stages() {
        return blocks.size();
    }

    @Override
    public ResNet copy() {
        return (ResNet) super.copy();
    }

    @Override
    protected ResNet duplicate() {
        List<List<ResidualBlock>> stages = new ArrayList<>();
        for (List<ResidualBlock> stage : blocks) {
            List<ResidualBlock> copies = new ArrayList<>();
            for (ResidualBlock b : stage) copies.add(b.copy());
            stages.add(copies);
        }
        return new ResNet(config, conv1.copy(), bn1.copy(), stages, fc.copy(), null);
    }
}
