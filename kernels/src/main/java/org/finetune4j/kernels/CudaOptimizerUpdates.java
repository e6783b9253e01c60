package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;

/**
 * Launchers of optimizer.cu: one fused in-place pass of SGD or Adam/AdamW over a parameter
 * tensor on a CUDA device, for the CUDA path of nn/optim Sgd, Adam and AdamW. Parameters in the
 * order of the CPU twin CpuOptimizerUpdates (sizes come from p); every tensor (p's shape or any
 * shape of p's size) lives on p's device. Each tensor written (p and the state in use) has its
 * version bumped, as the in-place Tensor methods do, so autograd sees the change.
 */
public final class CudaOptimizerUpdates {
    private CudaOptimizerUpdates() {}

    /**
     * g ← ∇ + λw;  μ ≠ 0: b ← g when firstStep, else μ·b + (1 − τ)·g;  g ← g + μ·b (nesterov)
     * or b;  w ← w − γ·g. buf may be null when momentum is 0.
     */
    public static void sgdUpdate(Tensor p, Tensor g, Tensor buf, float lr, float momentum,
                                 float dampening, float weightDecay, boolean nesterov,
                                 boolean firstStep) {
        String op = "optimizer.sgdUpdate";
        CudaContext ctx = context(op, p);
        sameSize(op, p, g, "g");
        boolean withBuf = momentum != 0f;
        if (withBuf) sameSize(op, p, buf, "buf");
        int n = p.size();
        Launches.elementwise(ctx, PtxModule.OPTIMIZER, KernelSymbols.SGD_UPDATE, n,
                ptr(ctx, p, op, "p"), ptr(ctx, g, op, "g"),
                withBuf ? ptr(ctx, buf, op, "buf") : Launches.none(), n, lr, momentum, dampening,
                weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0);
        p.bumpVersion();
        if (withBuf) buf.bumpVersion();
    }

    /**
     * Adam (decoupled false): g ← ∇ + λw. AdamW (decoupled true): w ← (1 − γλ)·w instead.
     * m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  amsgrad: v̂ ← max(v̂, v) replaces v below;
     * w ← w − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).  step = t ≥ 1; vMax may be null unless
     * amsgrad.
     */
    public static void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vMax, float lr,
                                  float beta1, float beta2, float eps, float weightDecay,
                                  int step, boolean amsgrad, boolean decoupled) {
        String op = "optimizer.adamUpdate";
        CudaContext ctx = context(op, p);
        sameSize(op, p, g, "g");
        sameSize(op, p, m, "m");
        sameSize(op, p, v, "v");
        if (amsgrad) sameSize(op, p, vMax, "vMax");
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step must be >= 1, got " + step);
        }
        int n = p.size();
        Launches.elementwise(ctx, PtxModule.OPTIMIZER, KernelSymbols.ADAM_UPDATE, n,
                ptr(ctx, p, op, "p"), ptr(ctx, g, op, "g"), ptr(ctx, m, op, "m"),
                ptr(ctx, v, op, "v"), amsgrad ? ptr(ctx, vMax, op, "vMax") : Launches.none(), n,
                lr, beta1, beta2, eps, weightDecay, step, amsgrad ? 1 : 0, decoupled ? 1 : 0);
        p.bumpVersion();
        m.bumpVersion();
        v.bumpVersion();
        if (amsgrad) vMax.bumpVersion();
    }

    /** The context of p's device; p must be a CUDA tensor. */
    private static CudaContext context(String op, Tensor p) {
        Device d = p.device();
        if (d.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException(op + ": p lives on " + d
                    + " but this is the CUDA update; use CpuOptimizerUpdates");
        }
        return CudaContext.of(d.ordinal());
    }

    private static void sameSize(String op, Tensor p, Tensor t, String name) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " is required here, got null");
        }
        if (t.size() != p.size()) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape()
                    + " must hold as many values as p " + p.shape());
        }
    }
}
