package org.finetune4j.kernels;

import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.BackendProvider;

/**
 * The CUDA plug-in, found by ServiceLoader (META-INF/services). open() fails with the
 * availability probe's reason ("no CUDA driver: libcuda.so.1 could not be loaded (...)") when
 * CUDA is unusable, so Backends.of(Device.cuda(0)) tells the user what is missing.
 */
public final class CudaBackendProvider implements BackendProvider {
    // System.Logger: module kernels depends on tensor and JCuda only, no logging library.
    private static final System.Logger LOG = System.getLogger(CudaBackendProvider.class.getName());

    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Backend open(Device device) {
        if (device.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("CudaBackendProvider cannot open " + device);
        }
        CudaAvailability availability = CudaAvailability.get();
        availability.unavailableReason(device.ordinal()).ifPresent(reason -> {
            throw new IllegalStateException("cannot open " + device + ": " + reason);
        });
        return create(CudaContext.of(device.ordinal()), availability);
    }

    /**
     * The one place the CUDA backend is constructed (Backends caches the result per device, so
     * this runs once per device): logs which path is active (PTX kernels only, or with cuBLAS /
     * cuDNN) once, then returns the backend for this context.
     */
    private static Backend create(CudaContext context, CudaAvailability availability) {
        CudaBackend backend = new CudaBackend(context, availability);
        LOG.log(System.Logger.Level.INFO, "finetune4j " + backend.describe());
        return backend;
    }
}
