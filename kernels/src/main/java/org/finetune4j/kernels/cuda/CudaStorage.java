package org.finetune4j.kernels.cuda;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Storage;

/**
 * Device storage: a block from the {@link DeviceAllocator} holding {@code size} float32 values,
 * plus the version counter autograd reads. Tensors in finetune4j have no close() (the CPU engine
 * leans on the garbage collector, and autograd graphs share tensors freely), so the block goes
 * back to the pool through a {@link Cleaner} once the storage is unreachable; code that knows a
 * buffer is dead (a released activation, a scratch buffer) calls {@link #free()} to return it
 * at once instead of waiting for a GC. Returning to the pool is safe while kernels that used the
 * block are still queued: every later user is queued behind them on the same stream.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final int size;
    private final DeviceAllocator.Block block;
    private final CUdeviceptr pointer;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private int version;

    /** A block for {@code size} floats from the context's pool; contents are undefined. */
    public static CudaStorage allocate(CudaContext context, int size) {
        return new CudaStorage(context.device(), context.allocator(), size);
    }

    CudaStorage(Device device, DeviceAllocator allocator, int size) {
        if (size < 0) throw new IllegalArgumentException("negative storage size " + size);
        this.device = device;
        this.size = size;
        this.block = allocator.allocate((long) size * Sizeof.FLOAT);
        this.pointer = DevicePointers.of(block.address());
        this.release = new Release(allocator, block);
        this.cleanable = CLEANER.register(this, release);
    }

    /** The device pointer; throws once the storage was freed. */
    public CUdeviceptr pointer() {
        if (release.done.get()) {
            throw new IllegalStateException("CudaStorage of " + size + " floats on " + device
                    + " was freed; a tensor still refers to it");
        }
        return pointer;
    }

    public long byteSize() {
        return (long) size * Sizeof.FLOAT;
    }

    public boolean isFreed() {
        return release.done.get();
    }

    /** Returns the block to the pool now; later calls (and the Cleaner) do nothing. */
    public void free() {
        cleanable.clean();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }

    /** The cleaning action; must not refer to the CudaStorage, or it would never be unreachable. */
    private static final class Release implements Runnable {
        private final DeviceAllocator allocator;
        private final DeviceAllocator.Block block;
        private final AtomicBoolean done = new AtomicBoolean();

        Release(DeviceAllocator allocator, DeviceAllocator.Block block) {
            this.allocator = allocator;
            this.block = block;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) allocator.release(block);
        }
    }
}
