package org.finetune4j.nn.resnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ResNetTest {
    private static Variable input(long seed, int... dims) {
        return Variable.constant(Tensor.uniform(Rng.seeded(seed), -1, 1, dims));
    }

    @Test
    void parameterCountsMatchPyTorch() {
        assertEquals(174_970, new ResNet(ResNetConfig.resnetMini(1, 10), Rng.seeded(1))
                .parameterCount());
        assertEquals(696_042, new ResNet(ResNetConfig.resnetMini(2, 10), Rng.seeded(1))
                .parameterCount());
        assertEquals(11_689_512, new ResNet(ResNetConfig.resnet18(1000, Stem.IMAGENET),
                Rng.seeded(1)).parameterCount());
        assertEquals(25_557_032, new ResNet(ResNetConfig.resnet50(1000, Stem.IMAGENET),
                Rng.seeded(1)).parameterCount());
    }

    @Test
    void namesFollowTorchvision() {
        ResNet r18 = new ResNet(ResNetConfig.resnet18(10, Stem.IMAGENET), Rng.seeded(2));
        Map<String, Tensor> keys = r18.stateDict();
        for (String k : List.of("conv1.weight", "bn1.num_batches_tracked", "layer1.0.conv1.weight",
                "layer1.1.bn2.running_var", "layer2.0.downsample.0.weight",
                "layer4.0.downsample.1.running_mean", "layer4.1.conv2.weight", "fc.weight",
                "fc.bias")) {
            assertTrue(keys.containsKey(k), "missing " + k);
        }
        assertFalse(keys.containsKey("layer1.0.downsample.0.weight"), "layer1 needs no projection");
        assertTrue(r18.namedModules().containsKey("maxpool"));
        assertEquals(Shape.of(64, 3, 7, 7), keys.get("conv1.weight").shape());

        ResNet r50 = new ResNet(ResNetConfig.resnet50(10, Stem.IMAGENET), Rng.seeded(3));
        assertEquals(Shape.of(64, 64, 1, 1), r50.stateDict().get("layer1.0.conv1.weight").shape());
        assertEquals(Shape.of(256, 64, 1, 1),
                r50.stateDict().get("layer1.0.downsample.0.weight").shape());
        assertEquals(2, ((Bottleneck) r50.blocks(1).get(0)).conv2().stride(),
                "v1.5: the stride sits on the 3x3 conv");
        assertEquals(Shape.of(10, 2048), r50.stateDict().get("fc.weight").shape());
    }

    @Test
    void featuresOfResNetMiniHaveTheCanonicalShapes() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 10).withInChannels(3), Rng.seeded(4));
        Features f;
        try (NoGrad ignored = NoGrad.enter()) {
            f = net.forwardWithFeatures(input(5, 1, 3, 32, 32));
        }
        assertEquals(3, f.stages());
        assertEquals(Shape.of(1, 16, 32, 32), f.at(Stage.F0).shape());
        assertEquals(Shape.of(1, 16, 32, 32), f.at(Stage.F1).shape());
        assertEquals(Shape.of(1, 32, 16, 16), f.at(Stage.F2).shape());
        assertEquals(Shape.of(1, 64, 8, 8), f.at(Stage.F3).shape());
        assertEquals(Shape.of(1, 64, 8, 8), f.preBn(Stage.F3).shape());
        assertEquals(Shape.of(1, 64), f.pooled().shape());
        assertEquals(Shape.of(1, 10), f.logits().shape());
        assertThrows(IllegalArgumentException.class, () -> f.at(Stage.F4));
    }

    @Test
    void featuresOfResNet18OnATinyInput() {
        ResNet net = new ResNet(ResNetConfig.resnet18(7, Stem.IMAGENET), Rng.seeded(6));
        net.eval();                           // layer4 is 1x1: batch statistics need > 1 value
        Features f;
        try (NoGrad ignored = NoGrad.enter()) {
            f = net.forwardWithFeatures(input(7, 1, 3, 32, 32));
        }
        assertEquals(Shape.of(1, 64, 8, 8), f.at(Stage.F0).shape());      // 7x7/2 then max-pool/2
        assertEquals(Shape.of(1, 64, 16, 16), f.preBn(Stage.F0).shape());  // the stem conv
        assertEquals(Shape.of(1, 64, 8, 8), f.at(Stage.F1).shape());
        assertEquals(Shape.of(1, 128, 4, 4), f.at(Stage.F2).shape());
        assertEquals(Shape.of(1, 256, 2, 2), f.at(Stage.F3).shape());
        assertEquals(Shape.of(1, 512, 1, 1), f.at(Stage.F4).shape());
        assertEquals(Shape.of(1, 7), f.logits().shape());
    }

    @Test
    void featureForwardAgreesWithThePlainForwardAndTheTaps() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(8));
        net.eval();
        Variable x = input(9, 2, 1, 12, 12);
        Features f = net.forwardWithFeatures(x);
        assertArrayEquals(net.forward(x).value().toArray(), f.logits().value().toArray());
        BasicBlock last = (BasicBlock) net.blocks(1).get(1);
        Variable h = net.blocks(1).get(0).forward(f.at(Stage.F1));
        Variable tap = last.conv2().forward(last.bn1().forward(last.conv1().forward(h)).relu());
        assertArrayEquals(tap.value().toArray(), f.preBn(Stage.F2).value().toArray(),
                "F2's tap is layer2.1.conv2 before bn2");
    }

    @Test
    void replaceHeadSwapsOnlyTheHead() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 10), Rng.seeded(10));
        Map<String, Tensor> backbone = StateDicts.snapshot(net);
        net.replaceHead(3, Rng.seeded(11));
        assertEquals(3, net.config().classes());
        assertEquals(Shape.of(3, 64), net.stateDict().get("fc.weight").shape());
        assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(net.headParameters().keySet()));
        assertEquals(net.parameters().size() - 2, net.backboneParameters().size());
        net.backboneParameters().forEach((k, p) -> assertArrayEquals(backbone.get(k).toArray(),
                p.value().toArray(), k));
        assertEquals(Shape.of(2, 3), net.forward(input(12, 2, 1, 8, 8)).shape());
        assertTrue(ResNet.isHead("fc.bias"));
        assertFalse(ResNet.isHead("fcx.bias"));
    }

    @Test
    void copyOfAResNetIsIndependent() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 4), Rng.seeded(13));
        net.backboneParameters().values().forEach(p -> p.setTrainable(false));
        net.layer(0).eval();
        Map<String, Tensor> original = StateDicts.snapshot(net);
        ResNet copy = net.copy();
        assertEquals(net.config(), copy.config());
        assertEquals(2, copy.trainableParameters().size());
        assertFalse(copy.layer(0).isTraining());
        assertTrue(copy.layer(1).isTraining());
        net.stateDict().forEach((k, t) ->
                assertNotSame(t.storage(), copy.stateDict().get(k).storage(), k));

        copy.train();
        copy.forward(input(14, 3, 1, 8, 8));                 // moves the copy's BN statistics
        copy.namedParameters().values().forEach(p -> p.value().fillInPlace(0.5f));
        original.forEach((k, t) -> assertArrayEquals(t.toArray(), net.stateDict().get(k).toArray(),
                "the original's '" + k + "' changed"));
    }
}
