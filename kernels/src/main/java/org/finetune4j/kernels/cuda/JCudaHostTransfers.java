package org.finetune4j.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * HostTransfers on the CUDA driver API, bound to one context and its stream. The copy calls run
 * inside CudaContext.upload / download, which make the context current first; allocation and
 * freeing make it current themselves. Exceptions are on (CudaContext), so failures throw.
 */
final class JCudaHostTransfers implements HostTransfers {
    private final CudaContext context;

    /** pinned: cuMemHostAlloc's pointer (what the async copies take); floats: a view of it. */
    private record PinnedSlot(Pointer pinned, FloatBuffer floats, CUevent done) implements Slot {}

    JCudaHostTransfers(CudaContext context) {
        this.context = context;
    }

    @Override
    public Slot allocateSlot(int floats) throws PinnedUnavailable {
        context.makeCurrent();
        long bytes = (long) floats * Sizeof.FLOAT;
        Pointer pinned = new Pointer();
        try {
            // Flags 0: not write-combined, because downloads read the buffer on the CPU, and
            // write-combined memory is uncached for CPU reads.
            cuMemHostAlloc(pinned, bytes, 0);
        } catch (CudaException e) {
            throw new PinnedUnavailable("cuMemHostAlloc(" + bytes + " bytes) on "
                    + context.device() + " failed: " + e.getMessage());
        }
        // JCuda backs a cuMemHostAlloc pointer with a direct ByteBuffer (null for other kinds).
        ByteBuffer bytesView = pinned.getByteBuffer(0, bytes);
        if (bytesView == null) {
            cuMemFreeHost(pinned);
            throw new PinnedUnavailable("JCuda gave no ByteBuffer for cuMemHostAlloc memory");
        }
        CUevent done = new CUevent();
        try {
            cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING);   // cheaper to record
        } catch (CudaException e) {
            cuMemFreeHost(pinned);
            throw new PinnedUnavailable("cuEventCreate on " + context.device() + " failed: "
                    + e.getMessage());
        }
        FloatBuffer view = bytesView.order(ByteOrder.nativeOrder()).asFloatBuffer();
        return new PinnedSlot(pinned, view, done);
    }

    @Override
    public void freeSlot(Slot slot) {
        context.makeCurrent();
        PinnedSlot s = (PinnedSlot) slot;
        cuEventDestroy(s.done());
        cuMemFreeHost(s.pinned());
    }

    @Override
    public void toDeviceAsync(Slot src, CUdeviceptr dst, long dstByteOffset, int count) {
        cuMemcpyHtoDAsync(dst.withByteOffset(dstByteOffset), ((PinnedSlot) src).pinned(),
                (long) count * Sizeof.FLOAT, context.stream());
    }

    @Override
    public void toHostAsync(CUdeviceptr src, long srcByteOffset, Slot dst, int count) {
        cuMemcpyDtoHAsync(((PinnedSlot) dst).pinned(), src.withByteOffset(srcByteOffset),
                (long) count * Sizeof.FLOAT, context.stream());
    }

    @Override
    public void record(Slot slot) {
        cuEventRecord(((PinnedSlot) slot).done(), context.stream());
    }

    @Override
    public void await(Slot slot) {
        cuEventSynchronize(((PinnedSlot) slot).done());
    }

    @Override
    public void toDevicePageable(float[] host, int hostOffset, CUdeviceptr dst, int count) {
        // The legacy default stream waits for our blocking stream (created with flags 0), so
        // this copy lands after every kernel queued before it; it returns once host may change.
        cuMemcpyHtoD(dst, Pointer.to(host).withByteOffset((long) hostOffset * Sizeof.FLOAT),
                (long) count * Sizeof.FLOAT);
    }

    @Override
    public void toHostPageable(CUdeviceptr src, float[] host, int hostOffset, int count) {
        cuStreamSynchronize(context.stream());        // kernels writing src must have finished
        cuMemcpyDtoH(Pointer.to(host).withByteOffset((long) hostOffset * Sizeof.FLOAT), src,
                (long) count * Sizeof.FLOAT);
    }
}
