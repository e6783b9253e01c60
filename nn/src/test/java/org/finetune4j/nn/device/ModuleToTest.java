package org.finetune4j.nn.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.testing.ForeignDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Module.to and Module.device: moves in place, keeps identities and flags, copies stay put. */
class ModuleToTest {
    private static final Device GPU = ForeignDevice.CUDA0;

    @BeforeAll
    static void install() {
        ForeignDevice.install();
    }

    private static ResNet net() {
        return new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(2));
    }

    @Test
    void toMovesEveryTensorAndKeepsParameterObjectsNamesAndFlags() {
        ResNet net = net();
        net.namedParameters().get("conv1.weight").setTrainable(false);
        Map<String, Parameter> before = net.namedParameters();
        Map<String, float[]> values = new LinkedHashMap<>();
        net.stateDict().forEach((k, t) -> values.put(k, t.toArray()));
        assertSame(net, net.to(GPU));
        assertEquals(GPU, net.device());
        Map<String, Parameter> after = net.namedParameters();
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()));
        before.forEach((k, p) -> assertSame(p, after.get(k), k));
        assertFalse(after.get("conv1.weight").trainable(), "frozen stays frozen");
        assertTrue(after.get("fc.weight").trainable());
        net.stateDict().forEach((k, t) -> {
            assertTrue(ForeignDevice.isForeign(t), k + " on " + t.device());
            assertArrayEquals(values.get(k), t.toArray(), k);
        });
        net.to(Device.CPU);
        assertEquals(Device.CPU, net.device());
        net.stateDict().forEach((k, t) -> assertArrayEquals(values.get(k), t.data(), k));
    }

    @Test
    void batchNormUsesAndUpdatesItsMovedStatistics() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.to(GPU);
        Tensor x = Tensor.normal(Rng.seeded(4), 1f, 2f, 3, 2, 2, 2).to(GPU);   // (n, c, h, w)
        bn.forward(Variable.constant(x));
        assertTrue(ForeignDevice.isForeign(bn.runningMean()));
        assertEquals(1f, bn.numBatchesTracked().item());
        assertTrue(bn.runningMean().maxAbs() > 0f, "running mean updated on the device");
        bn.eval();
        assertTrue(ForeignDevice.isForeign(bn.forward(Variable.constant(x)).value()));
    }

    @Test
    void copyLivesOnTheOriginalsDeviceAndIsIndependent() {
        ResNet net = net();
        net.to(GPU);
        ResNet c = net.copy();
        assertEquals(GPU, c.device());
        Tensor w = c.namedParameters().get("fc.weight").value();
        float before = net.namedParameters().get("fc.weight").value().toArray()[0];
        w.fillInPlace(3f);
        assertEquals(before, net.namedParameters().get("fc.weight").value().toArray()[0]);
    }

    @Test
    void gradientsAreDroppedByTheMove() {
        Conv2d conv = new Conv2d(1, 2, 3, 1, 1, true, Rng.seeded(1));
        Variable y = conv.forward(Variable.constant(Tensor.ones(1, 1, 4, 4)));
        y.sum().backward();
        assertTrue(conv.weight().grad() != null);
        conv.to(GPU);
        assertNull(conv.weight().grad());
    }

    @Test
    void aModuleSpreadOverDevicesSaysWhichTensorsDiffer() {
        ResNet net = net();
        net.namedModules().get("fc").to(GPU);
        assertEquals(GPU, net.namedModules().get("fc").device());
        IllegalStateException e = assertThrows(IllegalStateException.class, net::device);
        assertTrue(e.getMessage().contains("fc.weight") && e.getMessage().contains("cuda:0"),
                e.getMessage());
    }
}
