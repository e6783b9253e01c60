// optimizer.cu: one fused elementwise pass per parameter tensor for SGD and Adam/AdamW,
// PyTorch 1.13 semantics (torch.optim.SGD, Adam, AdamW; see nn/optim/Sgd, Adam, AdamW).
//   SGD:  g = ∇ + λw;  μ≠0: b = g (first step) or μb + (1−τ)g;  g = g + μb (nesterov) or b;
//         w = w − γg
//   Adam: g = ∇ + λw (Adam) | w = (1−γλ)w (AdamW);  m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;
//         amsgrad: v̂ = max(v̂, v);  w = w − γ/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
// CPU twin: tensor/cpu/CpuOptimizerUpdates (sgdUpdate, adamUpdate). Launcher:
// kernels/.../CudaOptimizerUpdates (parity-tested; nn/optim does not call it yet).
// Versions: v1 only: grid-stride, launcher blockDim 256.
// Precision: float32 per operation in PyTorch's order; the scalar factors (1−τ, 1−β, the bias
// corrections, 1−γλ) in double from the float arguments, rounded once, as the twin. Every
// multiply-add is spelled with __fmul_rn/__fadd_rn so nvcc cannot fuse it into an FMA: the
// result is bit-identical to the twin (parity tolerance: exact, up to 1 ulp of pow in the
// bias corrections).
#include "common.cuh"

// buf may be null when momentum == 0 (no state, as PyTorch). firstStep = 1 on the parameter's
// first update: the buffer is then set to g, not blended with the (zero) old buffer.
extern "C" __global__ void sgd_update(float* p, const float* g, float* buf, int n, float lr,
                                      float momentum, float dampening, float weightDecay,
                                      int nesterov, int firstStep) {
  const float oneMinusTau = (float)(1.0 - (double)dampening);   // 1 − τ rounded once
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

// step = t, the parameter's own update count, 1 on the first update. vMax is read and written
// only when amsgrad (may be null otherwise). decoupled = 1 is AdamW: decay w by 1 − γλ instead
// of adding λw to the gradient.
extern "C" __global__ void adam_update(float* p, const float* g, float* m, float* v, float* vMax,
                                       int n, float lr, float beta1, float beta2, float eps,
                                       float weightDecay, int step, int amsgrad, int decoupled) {
  const double b1 = beta1, b2 = beta2;
  const float stepSize = (float)((double)lr / (1.0 - pow(b1, (double)step)));
  const float bc2Sqrt = (float)sqrt(1.0 - pow(b2, (double)step));
  const float oneMinusBeta1 = (float)(1.0 - b1);
  const float oneMinusBeta2 = (float)(1.0 - b2);
  const float l2 = decoupled ? 0.0f : weightDecay;
  const float decay = decoupled ? (float)(1.0 - (double)lr * (double)weightDecay) : 1.0f;
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
