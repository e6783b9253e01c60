package org.finetune4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.PinnedStaging;
import org.finetune4j.tensor.Rng;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Host <-> device copy bandwidth on cuda:0 through CudaContext.upload / download, float[] of
 * 1, 16 and 256 MiB into one preallocated device block, with pinned staging on and off (decides
 * PinnedStaging.CHUNK_BYTES and THRESHOLD_BYTES). Secondary result "gb" is GB/s (bytes / 1e9).
 * An upload ends with a stream synchronize, since staged uploads return before their last DMA;
 * so this measures bandwidth only, not the overlap of that DMA with later host work.
 * pinned=off sets -Dfinetune4j.cuda.pinned=false before cuda:0 is first opened; it works because
 * each @Param combination runs in a fresh forked JVM (keep forks >= 1). Fails setup without a
 * usable cuda:0, and pinned=on fails setup when page-locked memory could not be allocated.
 * Run: java -cp finetune4j.jar org.openjdk.jmh.Main CudaTransferBench [-p mib=256 -p pinned=on]
 * Not final: JMH generates subclasses of its @State classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class CudaTransferBench {

    /** GB moved, reported by JMH per second of measurement, i.e. as GB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public double gb;

        @Setup(Level.Iteration)
        public void reset() {
            gb = 0;
        }
    }

    @Param({"1", "16", "256"})
    public int mib;

    @Param({"on", "off"})
    public String pinned;

    private CudaContext context;
    private CudaStorage device;   // (count)
    private float[] host;         // (count)
    private int count;
    private double gbPerCall;

    @Setup
    public void setUp() {
        boolean on = pinned.equals("on");
        System.setProperty("finetune4j.cuda.pinned", Boolean.toString(on));
        CudaBenches.openCuda0("CudaTransferBench");
        context = CudaContext.of(0);
        if (PinnedStaging.enabledByProperty() != on) {
            throw new IllegalStateException("CudaTransferBench pinned=" + pinned + " in a JVM"
                    + " that read the property before; run with forks >= 1");
        }
        count = mib << 18;                                     // 2^18 floats per MiB
        host = Rng.seeded(1).uniform(count, -1f, 1f);
        device = CudaStorage.allocate(context, count);
        context.upload(host, 0, device.pointer(), count);    // allocates the slots when on
        context.synchronize();
        if (on && !context.staging().active()) {
            throw new IllegalStateException("CudaTransferBench pinned=on skipped: "
                    + context.staging().describe());
        }
        gbPerCall = (double) count * Float.BYTES / 1e9;
        System.out.println("CudaTransferBench: " + mib + " MiB, "
                + context.staging().describe());
    }

    @Benchmark
    public void upload(Traffic traffic) {
        context.upload(host, 0, device.pointer(), count);
        context.synchronize();
        traffic.gb += gbPerCall;
    }

    @Benchmark
    public float download(Traffic traffic) {
        context.download(device.pointer(), host, 0, count);
        traffic.gb += gbPerCall;
        return host[count - 1];
    }

    @TearDown
    public void tearDown() {
        if (device != null) device.free();
    }
}
