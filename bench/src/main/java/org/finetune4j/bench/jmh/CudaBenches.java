package org.finetune4j.bench.jmh;

import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Backends;

/**
 * What the CUDA benchmarks share: opening cuda:0 or failing setup with the probe's reason (JMH
 * then reports the benchmark as failed with that message and moves on), a one-float fence whose
 * download waits for everything queued on the stream, and early release of device outputs.
 * bench sees module kernels at run time only (pom scope), so nothing here names its classes.
 */
final class CudaBenches {
    private CudaBenches() {}

    /** The backend of cuda:0; throws "bench needs cuda:0: ..." when CUDA is unusable here. */
    static Backend openCuda0(String bench) {
        Backend backend;
        try {
            backend = Backends.of(Device.cuda(0));
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(bench + " skipped: it needs a usable cuda:0 ("
                    + e.getMessage() + ")", e);
        }
        System.out.println(bench + ": " + backend.describe());
        return backend;
    }

    /** A one-element device tensor for {@link #sync}. */
    static Tensor fence(Backend backend) {
        return backend.zeros(Shape.of(1));
    }

    /**
     * Waits for the device: CudaMemory.download synchronises the context's one stream before
     * its copy, so downloading the fence ends only after every op queued before it.
     */
    static float sync(Backend backend, Tensor fence) {
        return backend.download(fence)[0];
    }

    /**
     * Returns outputs' device blocks to the pool now (CudaStorage.free). Otherwise they wait for
     * the garbage collector, which sees only tiny heap objects, and a tight loop allocating tens
     * of MiB per call runs the device out of memory long before a collection.
     */
    static void release(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && t.storage() instanceof CudaStorage s) s.free();
        }
    }
}
