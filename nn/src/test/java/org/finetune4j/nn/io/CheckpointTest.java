package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.SafetensorsTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Storage;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    /** Momentum-like buffers, one per parameter, as an optimiser's stateDict() would give. */
    private static Map<String, Tensor> momentum(TinyNet net, Rng rng) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        net.namedParameters().forEach((k, p) -> m.put(k + ".momentum_buffer",
                Tensor.normal(rng, 0f, 1f, p.value().dims())));
        return m;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void resumesWithBitIdenticalTensorsAndTheSameRngStream() throws IOException {
        TinyNet net = new TinyNet(1);
        Rng rng = Rng.seeded(99);
        rng.nextLong();                                    // mid-run: not the seed state
        Map<String, Tensor> buffers = momentum(net, Rng.seeded(5));
        TrainingState saved = TrainingState.of(4, 1234, rng)
                .withOptimizer(buffers, Map.of("lr", "0.05", "momentum", "0.9"))
                .withMetadata(Map.of("run", "cifar-ft"));
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, net, saved);

        TinyNet fresh = new TinyNet(2);
        TrainingState loaded = Checkpoint.load(f, fresh);
        net.stateDict().forEach((k, t) -> assertBitsEqual(k, t, fresh.stateDict().get(k)));
        assertEquals(buffers.keySet(), loaded.optimizer().keySet());
        buffers.forEach((k, t) -> assertBitsEqual(k, t, loaded.optimizer().get(k)));
        assertEquals(saved.optimizerScalars(), loaded.optimizerScalars());
        assertEquals(saved.metadata(), loaded.metadata());
        assertEquals(4, loaded.epoch());
        assertEquals(1234, loaded.step());
        Rng resumed = loaded.rng();
        for (int i = 0; i < 100; i++) assertEquals(rng.nextLong(), resumed.nextLong(), "draw " + i);
        assertEquals(List.of(f), files(), "no temp file left");
    }

    /** CPU-tagged storage that is not CpuStorage: reading it throws, like a failing device. */
    private record UnreadableStorage(int size) implements Storage {
        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        public int version() {
            return 0;
        }

        @Override
        public void bumpVersion() {
        }
    }

    @Test
    void aWriteThatFailsMidwayLeavesThePreviousFileIntactAndNoTempFile() throws IOException {
        TinyNet net = new TinyNet(1);
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, net, TrainingState.of(1, 10, Rng.seeded(1)));
        byte[] good = Files.readAllBytes(f);

        Map<String, Tensor> buffers = momentum(net, Rng.seeded(5));
        buffers.put("zz.unreadable", new Tensor(Shape.of(4), new UnreadableStorage(4)));   // last
        TrainingState bad = TrainingState.of(2, 20, Rng.seeded(2)).withOptimizer(buffers, Map.of());
        // Thrown while streaming the last tensor, after the header and the other tensors went out.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Checkpoint.save(f, net, bad));
        assertTrue(e.getMessage().startsWith("data()"), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(f));
        assertEquals(List.of(f), files());
        assertEquals(1, Checkpoint.load(f, new TinyNet(3)).epoch());
    }

    @Test
    void anOutputStreamFailingMidwayLeavesThePreviousFileIntactAndNoTempFile() throws IOException {
        Path f = dir.resolve("weights.safetensors");
        Safetensors.write(f, new TinyNet(1).stateDict(), Map.of());
        byte[] good = Files.readAllBytes(f);
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write(Safetensors.toBytes(new TinyNet(2).stateDict(), Map.of()), 0, 100);
            throw new IOException("disk full (injected)");
        }));
        assertEquals("disk full (injected)", e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(f));
        assertEquals(List.of(f), files());
    }

    @Test
    void loadRejectsAPlainWeightsFileAndLeavesTheModuleAlone() throws Exception {
        TinyNet net = new TinyNet(2);
        Map<String, Tensor> before = StateDicts.snapshot(net);
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Checkpoint.load(TorchInteropTest.torchFile(), net));
        assertTrue(e.getMessage().contains("not a finetune4j checkpoint"), e.getMessage());
        before.forEach((k, t) -> assertBitsEqual(k, t, net.stateDict().get(k)));
    }

    @Test
    void loadIntoAnotherArchitectureLoadsNothing() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, new TinyNet(1), TrainingState.of(1, 1, Rng.seeded(1)));
        TinyNet other = new TinyNet(Rng.seeded(2), 10);
        Map<String, Tensor> before = StateDicts.snapshot(other);
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                () -> Checkpoint.load(f, other));
        assertEquals(List.of("fc.weight", "fc.bias"), e.report().misShapedNames());
        before.forEach((k, t) -> assertBitsEqual(k, t, other.stateDict().get(k)));
    }
}
