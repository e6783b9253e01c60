package org.finetune4j.bench.cli;

import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.backend.Backends;

/**
 * The device the command line computes on: -Dfinetune4j.device, else FINETUNE4J_DEVICE, else the
 * CPU (read by Backends). Checked before any command runs, so that a bad device name or a GPU
 * that cannot be used is one line and exit code 2 instead of a stack trace from the first tensor
 * operation.
 */
public final class DeviceSelection {
    private DeviceSelection() {}

    /** Why the selected device cannot be used, or null when it can (or none is selected). */
    public static String problem(String property, String environment) {
        String source = property != null ? "-Dfinetune4j.device" : "FINETUNE4J_DEVICE";
        String text = property != null ? property : environment;
        if (text == null || text.isBlank()) return null;
        Device device;
        try {
            device = Device.parse(text);
        } catch (IllegalArgumentException e) {
            return source + "=" + text + ": " + e.getMessage();
        }
        if (device.kind() == Device.Kind.CPU) return null;
        try {
            Backends.of(device);
        } catch (RuntimeException e) {
            return source + "=" + text + ": " + e.getMessage();
        }
        return null;
    }
}
