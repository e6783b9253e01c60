package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.finetune4j.nn.resnet.ResNet;
import picocli.CommandLine.Option;

/**
 * The options finetune and compare share: which pre-trained network and which target task
 * (picocli mixin). check() looks at the arguments without reading files; load() reads the
 * checkpoint and the data; both report a problem as one line naming the option.
 */
final class TargetOptions {
    @Option(names = "--checkpoint", paramLabel = "PATH", description = "pre-trained resnet-mini"
            + " w1 safetensors, e.g. from pretrain (default: the one shipped in the nn jar)")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", description = "Fashion-MNIST for the"
            + " target classes 5-9: embedded, fashion-mnist (Debian's files or"
            + " $FASHION_MNIST_DIR), or a directory with the four IDX files (default:"
            + " ${DEFAULT-VALUE})")
    String data = PretrainData.EMBEDDED;

    @Option(names = "--target-data", paramLabel = "DIR", description = "your own target task"
            + " instead: DIR/train/CLASS/*.png|jpg and DIR/test/CLASS/*, read as 28x28 gray")
    Path targetData;

    @Option(names = "--val-per-class", paramLabel = "N", description = "validation images held"
            + " out of each training class, the same for every run (default: ${DEFAULT-VALUE})")
    int valPerClass = 200;

    /** The loaded network, its identity for manifests, and the split target task. */
    record Loaded(ResNet pretrained, String checkpointId, TargetTask task) {}

    /** The first problem found without reading files, or null. */
    String check() {
        if (valPerClass < 1) return "--val-per-class must be >= 1, got " + valPerClass;
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            return "--checkpoint: no file " + checkpoint;
        }
        if (targetData != null && !data.equals(PretrainData.EMBEDDED)) {
            return "give either --data or --target-data, not both";
        }
        if (targetData != null) {
            return Files.isDirectory(targetData) ? null : "--target-data: no directory "
                    + targetData;
        }
        try {
            PretrainData.check(data);
        } catch (IOException e) {
            return "--data " + data + ": " + e.getMessage();
        }
        return null;
    }

    /** Loads checkpoint and data; IllegalArgumentException carries the one-line problem. */
    Loaded load(int maxBudget, String budgetOption) {
        ResNet pretrained;
        String id;
        try {
            FineTuning.Pretrained p = FineTuning.load(checkpoint);
            pretrained = p.net();
            id = p.id();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--checkpoint " + (checkpoint == null
                    ? "(shipped)" : checkpoint) + ": " + e.getMessage(), e);
        }
        TargetTask task;
        try {
            task = TargetTask.load(data, targetData, valPerClass);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException((targetData != null ? "--target-data "
                    + targetData : "--data " + data) + ": " + e.getMessage(), e);
        }
        if (task.classes() < 2) {
            throw new IllegalArgumentException("the target task needs at least 2 classes, "
                    + task.source() + " has " + task.classes());
        }
        if (maxBudget > task.smallestPoolClass()) {
            throw new IllegalArgumentException(budgetOption + " " + maxBudget + " exceeds the"
                    + " smallest target class (" + task.smallestPoolClass() + " images after"
                    + " holding out " + valPerClass + " for validation)");
        }
        return new Loaded(pretrained, id, task);
    }
}
