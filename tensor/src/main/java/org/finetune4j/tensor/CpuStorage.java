package org.finetune4j.tensor;

/** Host storage: a plain float array. */
public final class CpuStorage implements Storage {
    private final float[] data;
    private int version;

    public CpuStorage(float[] data) {
        this.data = data;
    }

    public float[] data() {
        return data;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public void bumpVersion() {
        version++;
    }
}
