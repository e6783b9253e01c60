package org.finetune4j.tensor;

/**
 * The memory behind one or more tensors (a reshape shares it). Holds the version counter that
 * autograd reads to detect in-place modification of a tensor saved for backward: every in-place
 * write must call {@link #bumpVersion()}.
 */
public interface Storage {
    Device device();

    /** Number of float32 elements. */
    int size();

    int version();

    void bumpVersion();
}
