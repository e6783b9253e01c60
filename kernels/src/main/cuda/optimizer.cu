// optimizer.cu: one fused elementwise pass per parameter tensor for SGD and Adam/AdamW,
// PyTorch 1.13 semantics (torch.optim.SGD, Adam, AdamW; see nn/optim/Sgd, Adam, AdamW).
//   SGD:  g = ∇ + λw;  μ≠0: b = g (first step) or μb + (1−τ)g;  g = g + μb (nesterov) or b;
//         w = w − γg
//   Adam: g = ∇ + λw (Adam) | w = (1−γλ)w (AdamW);  m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;
//         amsgrad: v̂ = max(v̂, v);  w = w − γ/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
// CPU twin: tensor/cpu/CpuOptimizerUpdates (sgdUpdate, adamUpdate). Launcher:
// kernels/.../CudaOptimizerUpdates, called by CudaBackend for nn/optim's Sgd, Adam and AdamW.
// Versions: v1 only: grid-stride, launcher blockDim 256.
// Precision: float32 per operation in PyTorch's order. The step's scalars (1−τ, 1−β, the bias
// corrections, 1−γλ) arrive derived and rounded on the host (OptimizerKernels.SgdStep /
// AdamStep.of), the same floats the CPU twin uses. Every multiply-add is spelled with
// __fmul_rn/__fadd_rn so nvcc cannot fuse it into an FMA: the result is bit-identical to the
// twin (parity tolerance: exact).
#include "common.cuh"

// buf may be null when momentum == 0 (no state, as PyTorch). firstStep = 1 on the parameter's
// first update: the buffer is then set to g, not blended with the (zero) old buffer.
extern "C" __global__ void sgd_update(float* p, const float* g, float* buf, int n, float lr,
                                      float momentum, float oneMinusTau, float weightDecay,
                                      int nesterov, int firstStep) {
  FT4J_GRID_STRIDE(i, n) {
    const float wi = p[i];
    float gi = __fadd_rn(g[i], __fmul_rn(weightDecay, wi));
    if (momentum != 0.0f) {
      const float b = firstStep
          ? gi
          : __fadd_rn(__fmul_rn(momentum, buf[i]), __fmul_rn(oneMinusTau, gi));
      buf[i] = b;
      gi = nesterov ? __fadd_rn(gi, __fmul_rn(momentum, b)) : b;
    }
    p[i] = __fsub_rn(wi, __fmul_rn(lr, gi));
  }
}

// vMax is read and written only when amsgrad (may be null otherwise). Adam: l2 = λ, decay = 1;
// AdamW: l2 = 0, decay = 1 − γλ.
extern "C" __global__ void adam_update(float* p, const float* g, float* m, float* v, float* vMax,
                                       int n, float stepSize, float bc2Sqrt, float beta1,
                                       float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                       float eps, float l2, float decay, int amsgrad) {
  FT4J_GRID_STRIDE(i, n) {
    const float wi = p[i];
    const float gi = __fadd_rn(g[i], __fmul_rn(l2, wi));
    const float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(oneMinusBeta1, gi));
    const float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(oneMinusBeta2, __fmul_rn(gi, gi)));
    float vUse = vi;
    if (amsgrad) {
      vUse = ft4j_maxf(vMax[i], vi);                     // NaN-propagating, as torch.maximum
      vMax[i] = vUse;
    }
    const float denom = __fadd_rn(__fdiv_rn(sqrtf(vUse), bc2Sqrt), eps);
    m[i] = mi;
    v[i] = vi;
    p[i] = __fsub_rn(__fmul_rn(wi, decay), __fmul_rn(stepSize, __fdiv_rn(mi, denom)));
  }
}
