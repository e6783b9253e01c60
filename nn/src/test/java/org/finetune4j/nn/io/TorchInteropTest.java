package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.SafetensorsTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights move both ways with PyTorch: io/torch_written.safetensors (written by
 * nn/src/test/python/make_safetensors_fixture.py from torch's TinyNet state dict, with F16, BF16
 * and I64 tensors) reads to exactly the values in io/torch_written.json and loads strictly into
 * the Java TinyNet; main() writes a file for that script's --read mode, which loads it into torch.
 */
class TorchInteropTest {
    private static final String FIXTURE = "/io/torch_written";

    @TempDir
    Path dir;

    static Path torchFile() throws URISyntaxException {
        return Path.of(TorchInteropTest.class.getResource(FIXTURE + ".safetensors").toURI());
    }

    /** name → expected tensor, from the JSON the generator wrote next to the file. */
    @SuppressWarnings("unchecked")
    private static Map<String, Tensor> expected() throws IOException {
        Map<String, Object> doc;
        try (InputStream in = TorchInteropTest.class.getResourceAsStream(FIXTURE + ".json")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            doc = (Map<String, Object>) Golden.parseJson(text);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        ((Map<String, Object>) doc.get("tensors")).forEach((name, o) -> {
            Map<String, Object> t = (Map<String, Object>) o;
            List<BigDecimal> shape = (List<BigDecimal>) t.get("shape");
            List<BigDecimal> values = (List<BigDecimal>) t.get("values");
            int[] dims = shape.stream().mapToInt(BigDecimal::intValueExact).toArray();
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) values.get(i).doubleValue();     // exact: the JSON holds float32s
            }
            out.put(name, Tensor.wrap(v, dims));
        });
        return out;
    }

    @Test
    void readsExactlyTheValuesTorchWrote() throws Exception {
        Safetensors.Contents c = Safetensors.read(torchFile());
        Map<String, Tensor> expected = expected();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(c.tensors().keySet()));
        expected.forEach((k, t) -> assertBitsEqual(k, t, c.tensors().get(k)));
        assertEquals("pt", c.metadata().get("format"));
        assertEquals(3f, c.tensors().get("bn1.num_batches_tracked").item());
    }

    @Test
    void loadsTorchWeightsStrictlyIntoTheSameArchitecture() throws Exception {
        TinyNet net = new TinyNet(42);
        LoadReport report = StateDicts.load(net, Safetensors.read(torchFile()).tensors(), true);
        assertTrue(report.clean(), report.describe());
        assertEquals(8, report.loaded().size());
        expected().forEach((k, t) -> assertBitsEqual(k, t, net.stateDict().get(k)));
    }

    @Test
    void writesWhatItReadsBackBitExactly() throws Exception {
        TinyNet net = new TinyNet(42);
        StateDicts.load(net, Safetensors.read(torchFile()).tensors(), true);
        Path f = dir.resolve("java_written.safetensors");
        Safetensors.write(f, net.stateDict(), Map.of("format", "pt"));
        Map<String, Tensor> back = Safetensors.read(f).tensors();
        expected().forEach((k, t) -> assertBitsEqual(k, t, back.get(k)));
    }

    /** Writes a TinyNet checkpoint to args[0] for make_safetensors_fixture.py --read. */
    public static void main(String[] args) throws IOException {
        TinyNet net = new TinyNet(7);
        Map<String, Tensor> momentum = new LinkedHashMap<>();
        net.namedParameters().forEach((k, p) -> momentum.put(k + ".momentum_buffer", p.value()));
        TrainingState state = TrainingState.of(1, 10, Rng.seeded(3))
                .withOptimizer(momentum, Map.of("lr", "0.1"));
        Checkpoint.save(Path.of(args[0]), net, state);
        System.out.println("wrote " + args[0]);
    }
}
