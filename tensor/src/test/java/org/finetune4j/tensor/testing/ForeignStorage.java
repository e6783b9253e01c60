package org.finetune4j.tensor.testing;

import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Storage;

/**
 * The storage of a {@link ForeignDevice} tensor: a host float array that only the fake backend
 * can reach. It is not a CpuStorage, so Tensor.data() refuses it exactly as it refuses a real
 * CUDA tensor, and the only ways out are the backend's download and its ops.
 */
final class ForeignStorage implements Storage {
    private final Device device;
    private final float[] values;           // owned; never handed to code outside the fake backend
    private int version;

    ForeignStorage(Device device, float[] values) {
        this.device = device;
        this.values = values;
    }

    /** The backing array, for ForeignBackend only. */
    float[] values() {
        return values;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }

    @Override
    public String toString() {
        return "ForeignStorage(" + device + ", " + values.length + " floats)";
    }
}
