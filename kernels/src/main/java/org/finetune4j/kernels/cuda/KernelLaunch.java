package org.finetune4j.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.lang.ref.Reference;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;

/**
 * Launches a PTX kernel on a context's stream. Arguments are passed in the order of the C
 * signature (launchers repeat it in their Javadoc) and mapped to cuLaunchKernel's parameter
 * array: CudaStorage / Pointer / CUdeviceptr -> a device pointer; Integer -> int; Float -> float;
 * Long -> long long; Double -> double; int[] -> a by-value struct of ints (the Strided
 * descriptor is an int[18]). Launch-shape errors are caught before the driver sees them; every
 * error names the kernel and the launch shape. -Dfinetune4j.cuda.syncLaunches=true synchronises
 * after each launch so an asynchronous fault is reported by the kernel that caused it.
 */
public final class KernelLaunch {
    /** Threads per block of the grid-stride elementwise kernels (CUDA-CONTRACT.md). */
    public static final int ELEMENTWISE_BLOCK = 256;
    // Grid cap for grid-stride loops: 8 waves of the 65535-block limit is plenty to fill any GPU,
    // and the loop covers the rest.
    static final int MAX_GRID_STRIDE_BLOCKS = 65535 * 8;
    private static final int MAX_BLOCK_THREADS = 1024;
    private static final int MAX_GRID_YZ = 65535;
    private static final boolean SYNC_LAUNCHES = Boolean.getBoolean("finetune4j.cuda.syncLaunches");

    /** A launch extent (gridDim or blockDim). */
    public record Dim3(int x, int y, int z) {
        public static Dim3 of(int x) {
            return new Dim3(x, 1, 1);
        }

        @Override
        public String toString() {
            return "(" + x + "," + y + "," + z + ")";
        }
    }

    private KernelLaunch() {}

    /** min(ceil(n / 256), 65535*8) blocks, at least 1, for a grid-stride loop over n elements. */
    public static int gridFor(long n) {
        long blocks = (n + ELEMENTWISE_BLOCK - 1) / ELEMENTWISE_BLOCK;
        return (int) Math.max(1, Math.min(blocks, MAX_GRID_STRIDE_BLOCKS));
    }

    /** A 1-D launch: {@code grid} blocks of {@code block} threads. */
    public static void launch(CudaContext context, PtxModule module, String symbol, int grid,
                              int block, int sharedBytes, Object... args) {
        launch(context, module, symbol, Dim3.of(grid), Dim3.of(block), sharedBytes, args);
    }

    public static void launch(CudaContext context, PtxModule module, String symbol, Dim3 grid,
                              Dim3 block, int sharedBytes, Object... args) {
        checkShape(symbol, grid, block, sharedBytes);
        Pointer params = kernelParams(symbol, args);
        CUfunction function = context.function(module, symbol);
        context.makeCurrent();
        try {
            cuLaunchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, context.stream(), params, null);
            if (SYNC_LAUNCHES) cuStreamSynchronize(context.stream());
        } catch (CudaException e) {
            throw new CudaException("launch of " + shape(symbol, grid, block, sharedBytes)
                    + " in " + module.resource() + " on " + context.device() + " failed: "
                    + e.getMessage(), e);
        } finally {
            Reference.reachabilityFence(args);   // CudaStorage args: no Cleaner before queued
        }
    }

    /** cuLaunchKernel's kernelParams: one pointer per argument, each to the argument's value. */
    static Pointer kernelParams(String symbol, Object... args) {
        NativePointerObject[] values = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) values[i] = valueOf(symbol, i, args[i]);
        return Pointer.to(values);
    }

    private static Pointer valueOf(String symbol, int index, Object arg) {
        if (arg instanceof CudaStorage s) return Pointer.to(s.pointer());
        if (arg instanceof Pointer p) return Pointer.to(p);           // CUdeviceptr is a Pointer
        if (arg instanceof Integer v) return Pointer.to(new int[] {v});
        if (arg instanceof Float v) return Pointer.to(new float[] {v});
        if (arg instanceof Long v) return Pointer.to(new long[] {v});
        if (arg instanceof Double v) return Pointer.to(new double[] {v});
        if (arg instanceof int[] struct) return Pointer.to(struct.clone());
        String type = arg == null ? "null" : arg.getClass().getName();
        throw new IllegalArgumentException("kernel " + symbol + " argument " + index
                + ": unsupported " + type + " (use CudaStorage, CUdeviceptr, Integer, Float, Long,"
                + " Double or int[]; flags are ints 0/1)");
    }

    static void checkShape(String symbol, Dim3 grid, Dim3 block, int sharedBytes) {
        long threads = (long) block.x() * block.y() * block.z();
        String problem = null;
        if (grid.x() < 1 || grid.y() < 1 || grid.z() < 1) problem = "grid dimensions < 1";
        else if (grid.y() > MAX_GRID_YZ || grid.z() > MAX_GRID_YZ) problem = "gridDim.y/z > 65535";
        else if (block.x() < 1 || block.y() < 1 || block.z() < 1) problem = "block dimensions < 1";
        else if (threads > MAX_BLOCK_THREADS) problem = threads + " threads per block > 1024";
        else if (sharedBytes < 0) problem = "negative shared memory";
        if (problem != null) {
            String launch = shape(symbol, grid, block, sharedBytes);
            throw new IllegalArgumentException("bad launch " + launch + ": " + problem);
        }
    }

    static String shape(String symbol, Dim3 grid, Dim3 block, int sharedBytes) {
        return symbol + "<<<grid " + grid + ", block " + block + ", shared " + sharedBytes
                + " B>>>";
    }
}
