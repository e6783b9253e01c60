package org.finetune4j.kernels;

import java.nio.charset.StandardCharsets;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.ConvKernels;
import org.finetune4j.tensor.backend.NormKernels;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * The CUDA Backend of one device: pure wiring, one line per method, to the role objects (one
 * file per role interface) that check shapes and launch the PTX kernels, cuBLAS or cuDNN.
 * Constructed only by CudaBackendProvider.create; semantics are CpuBackend's (the parity tests
 * compare every op against it).
 */
public final class CudaBackend implements Backend {
    private final CudaContext ctx;
    private final String description;
    private final CudaMemory memory;
    private final CudaElementwise elementwise;
    private final CudaMovement movement;
    private final CudaReductions reductions;
    private final CudaLinalg linalg;
    private final ConvKernels conv;
    private final PoolKernels pool;
    private final NormKernels norm;
    private final CudaLosses losses;
    private final CudaFused fused;

    CudaBackend(CudaContext ctx, CudaAvailability availability) {
        this.ctx = ctx;
        this.memory = new CudaMemory(ctx);
        this.elementwise = new CudaElementwise(ctx);
        this.movement = new CudaMovement(ctx);
        this.reductions = new CudaReductions(ctx);
        this.linalg = new CudaLinalg(ctx, availability);
        CudaConv ptxConv = new CudaConv(ctx, availability);
        CudaPool ptxPool = new CudaPool(ctx, availability);
        CudaNorm ptxNorm = new CudaNorm(ctx, availability);
        if (availability.useCudnn()) {
            this.conv = new CudnnConv(ctx, ptxConv);
            this.pool = new CudnnPool(ctx, ptxPool);
            this.norm = new CudnnNorm(ctx, ptxNorm);
        } else {
            this.conv = ptxConv;
            this.pool = ptxPool;
            this.norm = ptxNorm;
        }
        this.losses = new CudaLosses(ctx);
        this.fused = new CudaFused(ctx);
        this.description = ctx.device() + " " + deviceName(ctx.device().ordinal()) + " ("
                + availability.activePath() + ")";
    }

    /** "NVIDIA H200, sm_90": the driver's name and compute capability. */
    private static String deviceName(int ordinal) {
        CUdevice d = new CUdevice();
        JCudaDriver.cuDeviceGet(d, ordinal);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, d);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        int[] major = new int[1];
        int[] minor = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major,
                CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
        JCudaDriver.cuDeviceGetAttribute(minor,
                CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
        return new String(name, 0, len, StandardCharsets.US_ASCII) + ", sm_" + major[0]
                + minor[0];
    }

    @Override
    public Device device() {
        return ctx.device();
    }

    @Override
    public String describe() {
        return description;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(Shape shape) {
        return memory.zeros(shape);
    }

    @Override
    public Tensor full(Shape shape, float value) {
        return memory.full(shape, value);
    }

    @Override
    public Tensor upload(float[] data, Shape shape) {
        return memory.upload(data, shape);
    }

    @Override
    public float[] download(Tensor t) {
        return memory.download(t);
    }

    @Override
    public Tensor copy(Tensor t) {
        return memory.copy(t);
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        memory.copyInto(dst, src);
    }

    @Override
    public void axpyInPlace(Tensor y, float alpha, Tensor x) {
        memory.axpyInPlace(y, alpha, x);
    }

    @Override
    public void scaleInPlace(Tensor y, float s) {
        memory.scaleInPlace(y, s);
    }

    @Override
    public void fillInPlace(Tensor y, float v) {
        memory.fillInPlace(y, v);
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        return elementwise.unary(op, x);
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy) {
        return elementwise.unaryBackward(op, x, y, dy);
    }

    @Override
    public Tensor scalar(ScalarOp op, Tensor x, float s) {
        return elementwise.scalar(op, x, s);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return elementwise.binary(op, a, b);
    }

    @Override
    public Tensor where(Tensor mask, Tensor a, Tensor b) {
        return elementwise.where(mask, a, b);
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        return elementwise.clamp(x, lo, hi);
    }

    // ---------------------------------------------------------------- movement

    @Override
    public Tensor permute(Tensor x, int[] perm) {
        return movement.permute(x, perm);
    }

    @Override
    public Tensor broadcastTo(Tensor x, Shape target) {
        return movement.broadcastTo(x, target);
    }

    @Override
    public Tensor slice(Tensor x, int axis, int start, int end) {
        return movement.slice(x, axis, start, end);
    }

    @Override
    public Tensor concat(List<Tensor> xs, int axis) {
        return movement.concat(xs, axis);
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        return movement.indexSelect(x, axis, index);
    }

    @Override
    public Tensor indexAdd(Shape shape, int axis, int[] index, Tensor src) {
        return movement.indexAdd(shape, axis, index, src);
    }

    @Override
    public Tensor oneHot(int[] labels, int k) {
        return movement.oneHot(labels, k);
    }

    @Override
    public Tensor gatherPlanes(Tensor x, Tensor index, Shape outShape) {
        return movement.gatherPlanes(x, index, outShape);
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
        return reductions.reduce(op, x, axes, keepDims);
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        return reductions.argmax(x, axis);
    }

    @Override
    public Tensor sumToShape(Tensor x, Shape target) {
        return reductions.sumToShape(x, target);
    }

    @Override
    public Tensor variance(Tensor x, int[] axes, boolean keepDims, int correction) {
        return reductions.variance(x, axes, keepDims, correction);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return reductions.softmax(x, axis);
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        return reductions.logSoftmax(x, axis);
    }

    @Override
    public Tensor softmaxBackward(Tensor dy, Tensor y, int axis) {
        return reductions.softmaxBackward(dy, y, axis);
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor dy, Tensor y, int axis) {
        return reductions.logSoftmaxBackward(dy, y, axis);
    }

    // ---------------------------------------------------------------- linear algebra, convolution

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        return linalg.matmul(a, b, transA, transB);
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
                     Tensor c) {
        linalg.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g) {
        return conv.conv2dForward(x, w, bias, g);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor dy, Tensor w, Conv2dGeometry g) {
        return conv.conv2dBackwardInput(dy, w, g);
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor dy, Conv2dGeometry g) {
        return conv.conv2dBackwardWeight(x, dy, g);
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor dy, Conv2dGeometry g) {
        return conv.conv2dBackwardBias(dy, g);
    }

    // ---------------------------------------------------------------- pooling, resizing, norm

    @Override
    public MaxPoolResult maxPool2dForward(Tensor x, Pool2dGeometry g) {
        return pool.maxPool2dForward(x, g);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor dy, Tensor argmax, Pool2dGeometry g) {
        return pool.maxPool2dBackward(dy, argmax, g);
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dGeometry g) {
        return pool.avgPool2dForward(x, g);
    }

    @Override
    public Tensor avgPool2dBackward(Tensor dy, Pool2dGeometry g) {
        return pool.avgPool2dBackward(dy, g);
    }

    @Override
    public Tensor bilinearResizeForward(Tensor x, int outH, int outW) {
        return pool.bilinearResizeForward(x, outH, outW);
    }

    @Override
    public Tensor bilinearResizeBackward(Tensor dy, int inH, int inW) {
        return pool.bilinearResizeBackward(dy, inH, inW);
    }

    @Override
    public BatchNormResult batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta,
                                                 Tensor runningMean, Tensor runningVar,
                                                 float momentum, float eps) {
        return norm.batchNormTrainForward(x, gamma, beta, runningMean, runningVar, momentum, eps);
    }

    @Override
    public Tensor batchNormEvalForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                       Tensor runningVar, float eps) {
        return norm.batchNormEvalForward(x, gamma, beta, runningMean, runningVar, eps);
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean,
                                            Tensor rstd, boolean needX, boolean needGamma,
                                            boolean needBeta) {
        return norm.batchNormBackward(dy, x, gamma, mean, rstd, needX, needGamma, needBeta);
    }

    // ---------------------------------------------------------------- losses and fused ops

    @Override
    public Tensor crossEntropy(Tensor logits, int[] labels) {
        return losses.crossEntropy(logits, labels);
    }

    @Override
    public Tensor crossEntropyBackward(Tensor logits, int[] labels, Tensor dLoss) {
        return losses.crossEntropyBackward(logits, labels, dLoss);
    }

    @Override
    public Tensor crossEntropySoft(Tensor logits, Tensor targets) {
        return losses.crossEntropySoft(logits, targets);
    }

    @Override
    public Tensor crossEntropySoftBackward(Tensor logits, Tensor targets, Tensor dLoss) {
        return losses.crossEntropySoftBackward(logits, targets, dLoss);
    }

    @Override
    public GateResult gumbelSoftmaxGateForward(Tensor logits, Tensor noise, float tau,
                                               boolean hard) {
        return fused.gumbelSoftmaxGateForward(logits, noise, tau, hard);
    }

    @Override
    public Tensor gumbelSoftmaxGateBackward(Tensor dOut, Tensor soft, float tau) {
        return fused.gumbelSoftmaxGateBackward(dOut, soft, tau);
    }

    @Override
    public Tensor weightedFeatureDistanceForward(Tensor s, Tensor t, Tensor weights) {
        return fused.weightedFeatureDistanceForward(s, t, weights);
    }

    @Override
    public Tensor[] weightedFeatureDistanceBackward(Tensor dOut, Tensor s, Tensor t,
                                                    Tensor weights, boolean needS,
                                                    boolean needT, boolean needWeights) {
        return fused.weightedFeatureDistanceBackward(dOut, s, t, weights, needS, needT,
                needWeights);
    }

    @Override
    public Tensor gatedBlendForward(Tensor g, Tensor a, Tensor b) {
        return fused.gatedBlendForward(g, a, b);
    }

    @Override
    public Tensor[] gatedBlendBackward(Tensor dy, Tensor g, Tensor a, Tensor b, boolean needG,
                                       boolean needA, boolean needB) {
        return fused.gatedBlendBackward(dy, g, a, b, needG, needA, needB);
    }

    // ---------------------------------------------------------------- optimizer steps

    @Override
    public void sgdUpdate(Tensor p, Tensor grad, Tensor buf, SgdStep step) {
        CudaOptimizerUpdates.sgdUpdate(p, grad, buf, step);
    }

    @Override
    public void adamUpdate(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor vMax, AdamStep step) {
        CudaOptimizerUpdates.adamUpdate(p, grad, m, v, vMax, step);
    }
}
