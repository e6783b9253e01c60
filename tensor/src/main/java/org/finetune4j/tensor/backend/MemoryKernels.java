package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/** Allocation, host transfer and the few in-place updates optimisers need. In-place calls bump the version. */
public interface MemoryKernels {
    Tensor zeros(Shape shape);

    Tensor full(Shape shape, float value);

    /** Copies host data into a new tensor of this backend. */
    Tensor upload(float[] data, Shape shape);

    /** Copies a tensor of this backend to a new host array. */
    float[] download(Tensor t);

    Tensor copy(Tensor t);

    /** dst ← src (same shape). */
    void copyInto(Tensor dst, Tensor src);

    /** y ← y + alpha·x (same shape). */
    void axpyInPlace(Tensor y, float alpha, Tensor x);

    /** y ← s·y. */
    void scaleInPlace(Tensor y, float s);

    /** y ← v everywhere. */
    void fillInPlace(Tensor y, float v);
}
