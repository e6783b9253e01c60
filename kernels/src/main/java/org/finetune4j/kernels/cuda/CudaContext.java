package org.finetune4j.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.finetune4j.tensor.Device;

/**
 * One CUDA device as finetune4j uses it: the device's primary context, ONE stream that every
 * kernel, copy and library call is queued on (so ordering needs no events), the caching
 * allocator, the pinned staging of host transfers, and the PTX modules loaded lazily with a
 * (module, symbol) -> CUfunction cache.
 * One instance per ordinal for the life of the process; the driver tears the context down at
 * exit. Every entry point makes the context current on the calling thread first.
 */
public final class CudaContext {
    private static final Map<Integer, CudaContext> OPEN = new ConcurrentHashMap<>();
    // The context this thread last made current through us, to skip the JNI call when unchanged.
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

    private record FunctionKey(PtxModule module, String symbol) {}

    private final Device device;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final DeviceAllocator allocator;
    private final PinnedStaging staging;
    private final Map<PtxModule, CUmodule> modules = new EnumMap<>(PtxModule.class);
    private final Map<FunctionKey, CUfunction> functions = new ConcurrentHashMap<>();

    private CudaContext(int ordinal) {
        this.device = Device.cuda(ordinal);
        JCudaDriver.setExceptionsEnabled(true);                  // no CUDA return code is ignored
        CUdevice cuDevice = new CUdevice();
        cuDeviceGet(cuDevice, ordinal);
        // The primary context is the one cuBLAS and cuDNN (runtime API) use, so library calls
        // and our PTX kernels share memory and the stream without context switches.
        cuDevicePrimaryCtxRetain(context, cuDevice);
        cuCtxSetCurrent(context);
        CURRENT.set(this);
        // Flags 0 (a blocking stream): synchronous copies on the legacy default stream wait for
        // it, so the pageable cuMemcpyHtoD / DtoH need no extra ordering.
        cuStreamCreate(stream, 0);
        this.allocator = new DeviceAllocator(device.toString(), new JCudaDeviceMemory(this));
        this.staging = new PinnedStaging(device.toString(), new JCudaHostTransfers(this));
    }

    /** The context of cuda:ordinal; throws IllegalStateException saying why CUDA is unusable. */
    public static CudaContext of(int ordinal) {
        return OPEN.computeIfAbsent(ordinal, o -> {
            CudaAvailability a = CudaAvailability.get();
            a.unavailableReason(o).ifPresent(reason -> {
                throw new IllegalStateException(reason);
            });
            return new CudaContext(o);
        });
    }

    public Device device() {
        return device;
    }

    public CUstream stream() {
        return stream;
    }

    public DeviceAllocator allocator() {
        return allocator;
    }

    /** How host transfers are made (pinned staging on or off, and why). */
    public PinnedStaging staging() {
        return staging;
    }

    /** Makes this context current on the calling thread (cheap when it already is). */
    public void makeCurrent() {
        if (CURRENT.get() == this) return;
        cuCtxSetCurrent(context);
        CURRENT.set(this);
    }

    /** The kernel {@code symbol} of {@code module}, loading the module on first use. */
    public CUfunction function(PtxModule module, String symbol) {
        return functions.computeIfAbsent(new FunctionKey(module, symbol), k -> {
            makeCurrent();
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, module(module), symbol);
            } catch (CudaException e) {
                throw new CudaException("kernel '" + symbol + "' not found in " + module.resource()
                        + " on " + device + " (" + e.getMessage() + "); KernelSymbols and the .cu"
                        + " file disagree, or the PTX is stale (run build-ptx.sh)", e);
            }
            return f;
        });
    }

    private CUmodule module(PtxModule module) {
        synchronized (modules) {
            CUmodule m = modules.get(module);
            if (m != null) return m;
            m = new CUmodule();
            try {
                cuModuleLoadData(m, module.image());
            } catch (CudaException e) {
                throw new CudaException("cannot load " + module.resource() + " on " + device + " ("
                        + e.getMessage() + "); an UNSUPPORTED_PTX_VERSION means the driver is older"
                        + " than the nvcc that wrote the PTX", e);
            }
            modules.put(module, m);
            return m;
        }
    }

    /** Waits until everything queued on the stream has finished (surfaces async kernel errors). */
    public void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
    }

    /**
     * dst[0 .. count) = host[hostOffset .. hostOffset + count); returns once host may change.
     * Large copies go through pinned staging and may still be in flight on return, ordered
     * before every later kernel and copy on the stream (see PinnedStaging).
     */
    public void upload(float[] host, int hostOffset, CUdeviceptr dst, int count) {
        makeCurrent();
        staging.upload(host, hostOffset, dst, count);
    }

    /** host[hostOffset .. hostOffset + count) = src[0 .. count), after all queued work. */
    public void download(CUdeviceptr src, float[] host, int hostOffset, int count) {
        makeCurrent();
        staging.download(src, host, hostOffset, count);
    }

    /** Queues dst[0 .. bytes) = src[0 .. bytes) on the stream. */
    public void copy(CUdeviceptr src, CUdeviceptr dst, long bytes) {
        makeCurrent();
        cuMemcpyDtoDAsync(dst, src, bytes, stream);
    }

    @Override
    public String toString() {
        return "CudaContext[" + device + "]";
    }
}
