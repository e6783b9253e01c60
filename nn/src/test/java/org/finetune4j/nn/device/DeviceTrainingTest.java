package org.finetune4j.nn.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.Loader;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.optim.Adam;
import org.finetune4j.nn.optim.AdamW;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.RmsProp;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.nn.train.Evaluation;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.testing.ForeignDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training a resnet-mini on a device without a hidden CPU path: on the fake cuda:0 of
 * {@link ForeignDevice} every op fails if a host tensor reaches it, and computes with the CPU
 * kernels otherwise, so a run there must match the same run on the CPU bit for bit (losses,
 * every parameter and buffer, optimiser state, evaluation, saved state dicts).
 */
class DeviceTrainingTest {
    private static final Device GPU = ForeignDevice.CUDA0;
    private static final int STEPS = 3;

    @BeforeAll
    static void install() {
        ForeignDevice.install();
    }

    /** 12 seeded images (1, 8, 8) of 5 classes. */
    private static Dataset data() {
        Tensor x = Tensor.normal(Rng.seeded(5), 0f, 1f, 12, 1, 8, 8);      // (n, c, h, w)
        int[] y = new int[12];
        for (int i = 0; i < y.length; i++) y[i] = (i * 7) % 5;
        return new Dataset(x, y, List.of("a", "b", "c", "d", "e"));
    }

    private static ResNet net() {
        return new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(11));
    }

    private record Run(float[] losses, ResNet net, Optimizer optimizer) {}

    /** STEPS shuffled batches of 4 from a loader on device; the optimiser is built after to(). */
    private static Run train(Device device, Function<ResNet, Optimizer> makeOptimizer) {
        ResNet net = net();
        net.to(device);
        Optimizer opt = makeOptimizer.apply(net);
        float[] losses = new float[STEPS];
        int prefetch = device.equals(Device.CPU) ? 0 : 2;        // both paths hand out on-device
        try (Loader loader = Loader.builder(data(), 4).shuffle(true).seed(3).prefetch(prefetch)
                .device(device).build()) {
            Iterator<Batch> it = loader.iterator();
            for (int i = 0; i < STEPS; i++) {
                Batch b = it.next();
                assertEquals(device, b.images().device(), "batch " + i);
                losses[i] = step(net, opt, b);
            }
        }
        return new Run(losses, net, opt);
    }

    private static float step(ResNet net, Optimizer opt, Batch b) {
        opt.zeroGrad();
        Variable loss = new CrossEntropyLoss().forward(net.forward(Variable.constant(b.images())),
                b.labels());
        loss.backward();
        opt.step();
        return loss.item();
    }

    private static void assertSameRun(Run cpu, Run dev) {
        assertArrayEquals(cpu.losses(), dev.losses(), "losses per step");
        assertSameTensors(cpu.net().stateDict(), dev.net().stateDict(), "state dict");
        assertSameTensors(cpu.optimizer().stateDict(), dev.optimizer().stateDict(), "optimiser");
        assertEquals(cpu.optimizer().scalarState(), dev.optimizer().scalarState());
    }

    /** Same keys, every device tensor foreign, values bit-identical. */
    private static void assertSameTensors(Map<String, Tensor> cpu, Map<String, Tensor> dev,
                                          String what) {
        assertEquals(cpu.keySet(), dev.keySet(), what);
        cpu.forEach((k, t) -> {
            Tensor d = dev.get(k);
            assertTrue(ForeignDevice.isForeign(d), what + " '" + k + "' is on " + d.device());
            assertArrayEquals(t.toArray(), d.toArray(), what + " '" + k + "'");
        });
    }

    static Stream<Arguments> optimisers() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("sgd momentum", (Function<ResNet, Optimizer>) n -> new Sgd(
                List.of(ParamGroup.of(n, 0.05, 1e-4)), Sgd.Options.momentum(0.9))));
        out.add(Arguments.of("sgd nesterov", (Function<ResNet, Optimizer>) n -> new Sgd(
                List.of(ParamGroup.of(n, 0.05, 0)), Sgd.Options.nesterov(0.9))));
        out.add(Arguments.of("adam", (Function<ResNet, Optimizer>) n -> new Adam(
                List.of(ParamGroup.of(n, 1e-3, 1e-4)), Adam.Options.defaults())));
        out.add(Arguments.of("adamw amsgrad", (Function<ResNet, Optimizer>) n -> new AdamW(
                List.of(ParamGroup.of(n, 1e-3, 1e-2)), new Adam.Options(0.9, 0.99, 1e-8, true))));
        out.add(Arguments.of("rmsprop", (Function<ResNet, Optimizer>) n -> new RmsProp(
                List.of(ParamGroup.of(n, 1e-3, 1e-4)), RmsProp.Options.defaults())));
        out.add(Arguments.of("rmsprop centered momentum", (Function<ResNet, Optimizer>) n ->
                new RmsProp(List.of(ParamGroup.of(n, 1e-3, 0)),
                        new RmsProp.Options(0.9, 1e-8, 0.5, true))));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void trainingOnTheDeviceMatchesTheCpuBitForBit(String name,
                                                   Function<ResNet, Optimizer> optimiser) {
        assertSameRun(train(Device.CPU, optimiser), train(GPU, optimiser));
    }

    @Test
    void anOptimiserBuiltBeforeTheMoveFollowsItsParameters() {
        Function<ResNet, Optimizer> sgd = n -> new Sgd(List.of(ParamGroup.of(n, 0.05, 1e-4)),
                Sgd.Options.momentum(0.9));
        Run cpu = train(Device.CPU, sgd);
        ResNet net = net();                            // one step on the CPU, then the rest on GPU
        Optimizer opt = sgd.apply(net);
        float[] losses = new float[STEPS];
        try (Loader loader = Loader.builder(data(), 4).shuffle(true).seed(3).device(Device.CPU)
                .build()) {
            Iterator<Batch> it = loader.iterator();
            losses[0] = step(net, opt, it.next());
            net.to(GPU);
            for (int i = 1; i < STEPS; i++) {
                Batch b = it.next();
                losses[i] = step(net, opt, new Batch(b.images().to(GPU), b.labels()));
            }
        }
        assertSameRun(cpu, new Run(losses, net, opt));
    }

    @Test
    void evaluationRunsOnTheModelsDevice() {
        Function<ResNet, Optimizer> sgd = n -> new Sgd(List.of(ParamGroup.of(n, 0.05, 0)),
                Sgd.Options.momentum(0.9));
        Run cpu = train(Device.CPU, sgd);
        Run dev = train(GPU, sgd);
        Evaluation e = Evaluation.run(cpu.net(), data(), null, 5);
        Evaluation d = Evaluation.run(dev.net(), data(), null, 5);
        assertEquals(e.loss(), d.loss());
        assertArrayEquals(e.confusion(), d.confusion());
        try (Loader hostBatches = Loader.builder(data(), 5).device(Device.CPU).build()) {
            Evaluation moved = Evaluation.run(dev.net(), hostBatches,
                    new CrossEntropyLoss()::forward);
            assertEquals(e.loss(), moved.loss());
        }
        assertTrue(dev.net().isTraining(), "training mode restored");
    }

    @Test
    void stateDictsSaveFromAndLoadOntoTheDevice() throws Exception {
        Function<ResNet, Optimizer> adam = n -> new Adam(List.of(ParamGroup.of(n, 1e-3, 0)),
                Adam.Options.defaults());
        Run cpu = train(Device.CPU, adam);
        Run dev = train(GPU, adam);
        byte[] fromCpu = Safetensors.toBytes(cpu.net().stateDict(), Map.of());
        byte[] fromDev = Safetensors.toBytes(dev.net().stateDict(), Map.of());
        assertArrayEquals(fromCpu, fromDev, "safetensors bytes");
        ResNet fresh = net();
        fresh.to(GPU);
        fresh.loadStateDict(Safetensors.read(fromDev).tensors(), true);
        assertSameTensors(cpu.net().stateDict(), fresh.stateDict(), "loaded");
        Optimizer resumed = adam.apply(fresh);
        resumed.loadState(cpu.optimizer().stateDict(), cpu.optimizer().scalarState());
        assertSameTensors(cpu.optimizer().stateDict(), resumed.stateDict(), "loaded optimiser");
    }
}
