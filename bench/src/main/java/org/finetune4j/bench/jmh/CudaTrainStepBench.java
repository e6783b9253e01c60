package org.finetune4j.bench.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TrainStepBench's workload through nn on a chosen device: resnet-mini (nn's ResNet,
 * ResNetConfig.resnetMini(width, 10)) moved there with Module.to, one fixed batch of 64
 * (1, 28, 28) images, forward, cross-entropy, backward, Sgd momentum 0.9. loss.item() downloads
 * the loss, so each step ends after the device has finished it. Images/s = 64 / (ms per op /
 * 1000). device=cuda runs the backend's best path (cuBLAS and cuDNN where they load),
 * cuda-ptx our driver-API kernels only (-Dfinetune4j.cuda.gemm=ptx and .dnn=ptx, set before the
 * backend opens: JMH forks a JVM per parameter set); both fail setup with the probe's reason
 * where cuda:0 is unusable.
 * Run: java -cp finetune4j.jar org.openjdk.jmh.Main CudaTrainStepBench -p device=cuda
 * Not final: JMH generates subclasses of its @State classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 7, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
        "-Xmx8g"})
@Threads(1)
public class CudaTrainStepBench {
    static final int BATCH = 64;
    static final int CLASSES = 10;

    @Param({"cuda", "cuda-ptx", "cpu"})
    public String device;

    @Param({"1", "2"})
    public int width;

    private ResNet net;
    private Sgd sgd;
    private Tensor images;      // (64, 1, 28, 28) on the device
    private int[] labels;       // (64)
    private final CrossEntropyLoss loss = new CrossEntropyLoss();

    @Setup
    public void setup() {
        if (device.equals("cuda-ptx")) {
            System.setProperty("finetune4j.cuda.gemm", "ptx");
            System.setProperty("finetune4j.cuda.dnn", "ptx");
        }
        Device d = device.startsWith("cuda") ? Device.cuda(0) : Device.CPU;
        if (d.kind() == Device.Kind.CUDA) CudaBenches.openCuda0("CudaTrainStepBench");
        Rng rng = Rng.seeded(42);
        net = new ResNet(ResNetConfig.resnetMini(width, CLASSES), rng);
        net.to(d).train();
        sgd = new Sgd(List.of(ParamGroup.of(net, 0.01, 0)), Sgd.Options.momentum(0.9));
        images = Tensor.normal(rng, 0f, 1f, BATCH, 1, 28, 28).to(d);
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(CLASSES);
    }

    @Benchmark
    public float trainStep() {
        Variable l = loss.forward(net.forward(Variable.constant(images)), labels);
        sgd.zeroGrad();
        l.backward();
        sgd.step();
        return l.item();
    }
}
