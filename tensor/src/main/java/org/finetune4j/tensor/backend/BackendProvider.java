package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Device;

/**
 * The plug-in seam for non-CPU backends, found by {@link java.util.ServiceLoader}
 * (module kernels declares one in META-INF/services). The only reflective lookup in finetune4j.
 */
public interface BackendProvider {
    Device.Kind kind();

    /** The backend for this device, or an exception whose message says why it is unavailable. */
    Backend open(Device device);
}
