package org.finetune4j.tensor.backend;

import java.util.List;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Layout changes. Tensors are contiguous, so every movement except reshape materialises a copy
 * (see tensor/README.md for why).
 */
public interface MovementKernels {
    /** y[i_perm[0], …] = x[i_0, …]: output dimension k is input dimension perm[k]. */
    Tensor permute(Tensor x, int[] perm);

    Tensor broadcastTo(Tensor x, Shape target);

    /** x[…, start:end, …] along one axis. */
    Tensor slice(Tensor x, int axis, int start, int end);

    Tensor concat(List<Tensor> xs, int axis);

    /** y = x.index_select(axis, index). */
    Tensor indexSelect(Tensor x, int axis, int[] index);

    /** zeros(shape), then out[…, index[j], …] += src[…, j, …]: the adjoint of indexSelect. */
    Tensor indexAdd(Shape shape, int axis, int[] index, Tensor src);

    /** (n, k) one-hot rows; labels outside [0, k) are an error naming the sample. */
    Tensor oneHot(int[] labels, int k);

    /** y[p, o] = x[p, index[p, o]] for planes p: gathers by stored per-plane indices (max-pool adjoint). */
    Tensor gatherPlanes(Tensor x, Tensor index, Shape outShape);
}
