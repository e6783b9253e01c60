package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;

/**
 * Launchers of optimizer.cu: one fused in-place pass of SGD or Adam/AdamW over a parameter
 * tensor on a CUDA device; CudaBackend's OptimizerKernels, so nn/optim's Sgd, Adam and AdamW
 * step with one kernel per parameter. Semantics and scalars: OptimizerKernels (the CPU twin is
 * CpuOptimizerUpdates, bit-identical). Every tensor holds p's number of values on p's device;
 * each one written has its version bumped, as the in-place Tensor methods do, so autograd sees
 * the change.
 */
public final class CudaOptimizerUpdates {
    private CudaOptimizerUpdates() {}

    /** SgdStep's update; buf may be null when momentum is 0. */
    public static void sgdUpdate(Tensor p, Tensor g, Tensor buf, SgdStep s) {
        String op = "optimizer.sgdUpdate";
        CudaContext ctx = context(op, p);
        sameSize(op, p, g, "g");
        boolean withBuf = s.momentum() != 0f;
        if (withBuf) sameSize(op, p, buf, "buf");
        int n = p.size();
        Launches.elementwise(ctx, PtxModule.OPTIMIZER, KernelSymbols.SGD_UPDATE, n,
                ptr(ctx, p, op, "p"), ptr(ctx, g, op, "g"),
                withBuf ? ptr(ctx, buf, op, "buf") : Launches.none(), n, s.lr(), s.momentum(),
                s.oneMinusDampening(), s.weightDecay(), s.nesterov() ? 1 : 0, s.first() ? 1 : 0);
        p.bumpVersion();
        if (withBuf) buf.bumpVersion();
    }

    /** AdamStep's update; vMax is the amsgrad state, null without amsgrad. */
    public static void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vMax,
                                  AdamStep s) {
        String op = "optimizer.adamUpdate";
        CudaContext ctx = context(op, p);
        sameSize(op, p, g, "g");
        sameSize(op, p, m, "m");
        sameSize(op, p, v, "v");
        boolean amsgrad = vMax != null;
        if (amsgrad) sameSize(op, p, vMax, "vMax");
        int n = p.size();
        Launches.elementwise(ctx, PtxModule.OPTIMIZER, KernelSymbols.ADAM_UPDATE, n,
                ptr(ctx, p, op, "p"), ptr(ctx, g, op, "g"), ptr(ctx, m, op, "m"),
                ptr(ctx, v, op, "v"), amsgrad ? ptr(ctx, vMax, op, "vMax") : Launches.none(), n,
                s.stepSize(), s.bc2Sqrt(), s.beta1(), s.oneMinusBeta1(), s.beta2(),
                s.oneMinusBeta2(), s.eps(), s.l2(), s.decay(), amsgrad ? 1 : 0);
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
