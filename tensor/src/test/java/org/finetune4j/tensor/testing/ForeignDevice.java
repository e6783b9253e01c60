package org.finetune4j.tensor.testing;

import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.BackendProvider;
import org.finetune4j.tensor.backend.Backends;

/**
 * A fake CUDA device for tests on machines without a GPU. After {@link #install()}, cuda:N
 * tensors live in {@link ForeignStorage} and every op runs the CPU backend on them, so results
 * are bit-identical to the CPU's, while any host tensor that reaches a device op fails loudly with
 * the op's name: a test that trains on cuda:0 and matches the CPU proves there is no hidden
 * CPU path (a host constant, a data() access, a CpuStorage cast).
 *
 * <p>Installing is global to the JVM and cannot be undone; it refuses to shadow a real CUDA
 * backend that is already open.
 */
public final class ForeignDevice implements BackendProvider {
    public static final Device CUDA0 = Device.cuda(0);

    /** Registers the fake for Device.Kind.CUDA (idempotent). */
    public static void install() {
        Backends.register(new ForeignDevice());
        Backend opened = Backends.of(CUDA0);
        if (!ForeignBackend.isForeign(opened)) {
            throw new IllegalStateException("ForeignDevice.install(): a real CUDA backend is"
                    + " already open for " + CUDA0 + " (" + opened.describe() + ")");
        }
    }

    /** True when t lives on a fake device. */
    public static boolean isForeign(Tensor t) {
        return t.storage() instanceof ForeignStorage;
    }

    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Backend open(Device device) {
        return ForeignBackend.create(device);
    }
}
