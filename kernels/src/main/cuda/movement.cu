// movement.cu: layout kernels: strided copy (permute, broadcastTo, slice, concat), index
// select / add, one-hot, gather of planes.
//   y[i] = x[xs.offset + sum_d idx_d(i) * xs.stride[d]];  y[o,j,:] = x[o,index[j],:];
//   y[o,j,:] += sum over k with index[k] == j (k ascending) of src[o,k,:].
// CPU twins: tensor/cpu/CpuMovement (permute, slice, place, indexSelect, indexAdd, oneHot,
// gatherPlanes) and CpuElementwise.broadcast. Launcher: kernels/.../CudaMovement.
// Versions: v1 only: one thread per output element, grid-stride, launcher blockDim 256.
// Precision: copies are exact; index_add adds in float in the twin's order (k ascending), so it is
// bit-identical. Parity tolerance: exact. Out-of-range indices cannot throw here: select/gather
// write NaN (visible), index_add ignores them; the twin and the launcher check indices first.
#include "common.cuh"

extern "C" __global__ void strided_copy(const float* x, Strided xs, float* y, int n) {
  FT4J_GRID_STRIDE(i, n) y[i] = x[ft4j_strided_offset(xs, i)];
}

// y: (outer, count, inner) from x: (outer, axisLen, inner).
extern "C" __global__ void index_select(const float* x, int outer, int axisLen, int inner,
                                        const int* index, int count, float* y) {
  FT4J_GRID_STRIDE(e, (long long)outer * count * inner) {
    const long long in = e % inner;
    const long long j = (e / inner) % count;
    const long long o = e / ((long long)inner * count);
    const int src = index[j];
    y[e] = (src >= 0 && src < axisLen) ? x[(o * axisLen + src) * inner + in] : NAN;
  }
}

// y: (outer, axisLen, inner), pre-zeroed (or holding a sum to add to) by the launcher.
// One thread per y element scans the index list in order: deterministic, no atomics.
extern "C" __global__ void index_add(const float* src, int outer, int axisLen, int inner,
                                     const int* index, int count, float* y) {
  FT4J_GRID_STRIDE(e, (long long)outer * axisLen * inner) {
    const long long in = e % inner;
    const int j = (int)((e / inner) % axisLen);
    const long long o = e / ((long long)inner * axisLen);
    float acc = y[e];
    for (int k = 0; k < count; ++k) {
      if (index[k] == j) acc += src[(o * count + k) * inner + in];
    }
    y[e] = acc;
  }
}

// y: (n, k), every element written (the twin writes only the ones into a zeroed array).
// A label outside [0, k) gives a zero row.
extern "C" __global__ void one_hot(const int* labels, int n, int k, float* y) {
  FT4J_GRID_STRIDE(e, (long long)n * k) {
    y[e] = labels[e / k] == (int)(e % k) ? 1.0f : 0.0f;
  }
}

// y[p, o] = x[p, (int) index[p, o]]; x: (planes, inSize), index and y: (planes, outSize).
extern "C" __global__ void gather_planes(const float* x, const float* index, float* y, int planes,
                                         int inSize, int outSize) {
  FT4J_GRID_STRIDE(e, (long long)planes * outSize) {
    const long long p = e / outSize;
    const float f = index[e];
    const int src = (int)f;                              // Java (int) truncates toward zero
    y[e] = (f == f && src >= 0 && src < inSize) ? x[p * inSize + src] : NAN;
  }
}
