package org.finetune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One SGD-momentum training step of resnet-mini (ResNetConfig.resnetMini(1, 5)) on cuda:0 and on
 * the CPU from the same seeded weights and batch: the loss and every parameter and buffer after
 * the step must agree within atol 1e-5 + rtol 1e-4 (float32 sums in other orders: cuBLAS or the
 * PTX GEMM, tree reductions in batch norm). Skipped with the CUDA probe's reason without cuda:0.
 */
class CudaTrainingStepTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;
    private static final int BATCH = 16;
    private static final int CLASSES = 5;

    @BeforeEach
    void needsGpu() {
        CudaAvailability a = CudaAvailability.get();
        Assumptions.assumeTrue(a.available(0), () -> "CUDA training step needs cuda:0: "
                + a.unavailableReason(0).orElse("unknown"));
        System.out.println("CudaTrainingStepTest: " + a.describe());
        System.out.println("CudaTrainingStepTest: " + Backends.of(Device.cuda(0)).describe());
    }

    /** The network after one step on device, and the step's loss. */
    private record Stepped(ResNet net, float loss) {}

    private static Stepped stepOn(Device device) {
        Rng rng = Rng.seeded(7);
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, CLASSES), rng);
        Tensor images = Tensor.normal(rng, 0f, 1f, BATCH, 1, 28, 28);       // (16, 1, 28, 28)
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(CLASSES);
        net.to(device).train();
        Sgd sgd = new Sgd(List.of(ParamGroup.of(net, 0.1, 5e-4)), Sgd.Options.momentum(0.9));
        Variable loss = new CrossEntropyLoss()
                .forward(net.forward(Variable.constant(images.to(device))), labels);
        sgd.zeroGrad();
        loss.backward();
        sgd.step();
        return new Stepped(net, loss.item());
    }

    @Test
    void oneSgdMomentumStepOfResnetMiniOnCudaMatchesTheCpu() {
        Stepped cpu = stepOn(Device.CPU);
        Stepped gpu = stepOn(Device.cuda(0));
        assertEquals(Device.cuda(0), gpu.net().device(), "device of the CUDA network");
        assertClose("loss", 0, cpu.loss(), gpu.loss());
        Map<String, Tensor> expected = cpu.net().stateDict();
        Map<String, Tensor> actual = gpu.net().stateDict();
        assertEquals(expected.keySet(), actual.keySet(), "state-dict keys");
        int compared = 0;
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            assertEquals(e.getValue().shape(), a.shape(), e.getKey() + ": shape");
            float[] want = e.getValue().toArray();
            float[] got = a.toArray();
            for (int i = 0; i < want.length; i++) assertClose(e.getKey(), i, want[i], got[i]);
            compared += want.length;
        }
        System.out.println("CudaTrainingStepTest: loss cpu " + cpu.loss() + ", cuda " + gpu.loss()
                + "; " + expected.size() + " tensors, " + compared + " values within atol " + ATOL
                + " + rtol " + RTOL);
    }

    private static void assertClose(String name, int index, float expected, float actual) {
        if (!(Math.abs((double) actual - expected) <= ATOL + RTOL * Math.abs(expected))) {
            fail(name + "[" + index + "] is " + actual + " on cuda:0 but " + expected
                    + " on the CPU (atol " + ATOL + " + rtol " + RTOL + ")");
        }
    }
}
