package org.finetune4j.tensor.backend;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.cpu.CpuBackend;

/**
 * Finds the Backend of a Device: the CPU always; CUDA when module kernels is on the class path
 * and a device is present. Asking for an unavailable device fails with a message that says why.
 * The default device is read once, here: -Dfinetune4j.device, else FINETUNE4J_DEVICE, else cpu.
 */
public final class Backends {
    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();
    private static final Map<Device.Kind, BackendProvider> REGISTERED = new ConcurrentHashMap<>();
    private static final Device DEFAULT = readDefault();

    private Backends() {}

    public static Backend cpu() {
        return CpuBackend.INSTANCE;
    }

    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) return CpuBackend.INSTANCE;
        return OPEN.computeIfAbsent(device, d -> provider(d.kind()).open(d));
    }

    /** Registers a provider explicitly (tests, power users); takes precedence over ServiceLoader. */
    public static void register(BackendProvider provider) {
        REGISTERED.put(provider.kind(), provider);
    }

    public static Device defaultDevice() {
        return DEFAULT;
    }

    private static BackendProvider provider(Device.Kind kind) {
        BackendProvider p = REGISTERED.get(kind);
        if (p != null) return p;
        for (BackendProvider candidate : ServiceLoader.load(BackendProvider.class)) {
            if (candidate.kind() == kind) return candidate;
        }
        throw new IllegalStateException("no " + kind + " backend: module finetune4j-kernels is not on the class path");
    }

    private static Device readDefault() {
        String p = System.getProperty("finetune4j.device");
        if (p == null) p = System.getenv("FINETUNE4J_DEVICE");
        return p == null || p.isBlank() ? Device.CPU : Device.parse(p);
    }
}
