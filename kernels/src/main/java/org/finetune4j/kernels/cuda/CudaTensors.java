package org.finetune4j.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * The glue every launcher uses between tensors and device memory: fresh outputs on a context,
 * input pointers checked to live on that context's device (a mismatch names the op, the argument
 * and both devices), and small int arrays (labels, indices) copied to the device.
 */
public final class CudaTensors {
    private CudaTensors() {}

    /** A new tensor of shape on ctx's device; contents undefined until a kernel writes them. */
    public static Tensor empty(CudaContext ctx, Shape shape) {
        return new Tensor(shape, CudaStorage.allocate(ctx, shape.size()));
    }

    /** The device pointer of t, which must live on ctx's device. */
    public static CUdeviceptr ptr(CudaContext ctx, Tensor t, String op, String arg) {
        if (!(t.storage() instanceof CudaStorage s) || !t.device().equals(ctx.device())) {
            throw new IllegalArgumentException(op + ": " + arg + " lives on " + t.device()
                    + " but the op runs on " + ctx.device() + "; move it with to(device)");
        }
        return s.pointer();
    }

    /** A device copy of host ints, held by a storage of the same byte size (ints are 4 bytes). */
    public static CudaStorage ints(CudaContext ctx, int[] host) {
        CudaStorage s = CudaStorage.allocate(ctx, Math.max(1, host.length));
        if (host.length > 0) {
            ctx.makeCurrent();
            cuMemcpyHtoD(s.pointer(), Pointer.to(host), (long) host.length * Sizeof.INT);
        }
        return s;
    }
}
