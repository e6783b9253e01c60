package org.finetune4j.nn.resnet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.tensor.Tensor;

/**
 * Physical filter removal (TransTailor, spec section 3 step 3): removing output channel j of a
 * conv removes its filter (and bias), channel j of the BN after it and input channel j of the
 * conv that consumes it. The result computes exactly what the original computes with channel j
 * zeroed after the BN, in training mode too (BN statistics are per channel); the tests check
 * this. Pruned networks are new modules; the originals are left untouched.
 */
public final class Pruning {
    private Pruning() {}

    /** The three pruned layers. */
    public record Chain(Conv2d conv, BatchNorm2d bn, Conv2d next) {}

    /**
     * New conv → bn → next without the listed output channels of conv. Both convs must be
     * ungrouped; at least one channel must stay. Values are copied; flags start at defaults.
     */
    public static Chain removeOutputChannels(Conv2d conv, BatchNorm2d bn, Conv2d next,
                                             int... remove) {
        if (conv.groups() != 1 || next.groups() != 1) {
            throw new IllegalArgumentException("pruning grouped convolutions is not supported: "
                    + conv + " → " + next);
        }
        if (conv.outChannels() != bn.channels() || bn.channels() != next.inChannels()) {
            throw new IllegalArgumentException("layers do not chain: " + conv + ", " + bn + ", "
                    + next);
        }
        int[] keep = keep(conv.outChannels(), remove);
        Conv2d c = Conv2d.of(conv.weight().value().indexSelect(0, keep),
                conv.bias() == null ? null : conv.bias().value().indexSelect(0, keep),
                conv.stride(), conv.padding(), 1);
        BatchNorm2d b = BatchNorm2d.of(bn.weight().value().indexSelect(0, keep),
                bn.bias().value().indexSelect(0, keep), bn.runningMean().indexSelect(0, keep),
                bn.runningVar().indexSelect(0, keep), bn.numBatchesTracked().copy(), bn.eps(),
                bn.momentum());
        Conv2d n = Conv2d.of(next.weight().value().indexSelect(1, keep),
                next.bias() == null ? null : next.bias().value().copy(), next.stride(),
                next.padding(), 1);
        return new Chain(c, b, n);
    }

    /**
     * A new network in which block i (in {@link ResNet#blocks()} order) loses the inner channels
     * removePerBlock.get(i) (empty: unchanged). Everything else is copied; modes and trainable
     * flags carry over.
     */
    public static ResNet removeInnerChannels(ResNet net, List<int[]> removePerBlock) {
        List<ResidualBlock> all = net.blocks();
        if (removePerBlock.size() != all.size()) {
            throw new IllegalArgumentException(removePerBlock.size() + " removal lists for "
                    + all.size() + " blocks");
        }
        List<List<ResidualBlock>> stages = new ArrayList<>();
        int i = 0;
        for (int s = 0; s < net.stages(); s++) {
            List<ResidualBlock> stage = new ArrayList<>();
            for (ResidualBlock b : net.blocks(s)) {
                int[] remove = removePerBlock.get(i++);
                stage.add(remove.length == 0 ? b.copy() : b.withoutInnerChannels(remove));
            }
            stages.add(stage);
        }
        return inheritFlags(net, new ResNet(net.config(), net.conv1().copy(), net.bn1().copy(),
                stages, net.fc().copy(), null));
    }

    /** Sorted indices 0..n−1 without remove; rejects duplicates, strays and removing all. */
    static int[] keep(int n, int... remove) {
        boolean[] gone = new boolean[n];
        for (int j : remove) {
            if (j < 0 || j >= n) {
                throw new IndexOutOfBoundsException("channel " + j + " outside 0.." + (n - 1));
            }
            if (gone[j]) throw new IllegalArgumentException("channel " + j + " listed twice");
            gone[j] = true;
        }
        if (remove.length == n) {
            throw new IllegalArgumentException("cannot remove all " + n + " channels "
                    + Arrays.toString(remove));
        }
        int[] keep = new int[n - remove.length];
        int k = 0;
        for (int j = 0; j < n; j++) if (!gone[j]) keep[k++] = j;
        return keep;
    }

    /**
     * Gives every module and parameter of to the training mode, batch-norm freezing and
     * trainable flag of its namesake in from. Pre-order, so each module's own flag wins over
     * what its parent's subtree-wide setter wrote.
     */
    static <M extends Module> M inheritFlags(Module from, M to) {
        Map<String, Module> source = from.namedModules();
        to.namedModules().forEach((k, m) -> {
            Module s = source.get(k);
            if (s != null) {
                m.train(s.isTraining());
                m.freezeBatchNormStatistics(s.batchNormStatisticsFrozen());
            }
        });
        Map<String, Parameter> params = from.namedParameters();
        to.namedParameters().forEach((k, p) -> {
            Parameter s = params.get(k);
            if (s != null) p.setTrainable(s.trainable());
        });
        return to;
    }
}
