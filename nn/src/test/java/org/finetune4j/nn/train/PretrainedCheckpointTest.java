package org.finetune4j.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.FashionMnist;
import org.finetune4j.nn.data.Normalize;
import org.finetune4j.nn.data.Splits;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The shipped resnet-mini checkpoint (see its README) loads strictly and scores as recorded. */
class PretrainedCheckpointTest {
    private static final String DIR = "/org/finetune4j/nn/pretrained/resnet-mini-w1-fmnist-src/";

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PretrainedCheckpointTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing resource " + DIR + name);
            return in.readAllBytes();
        }
    }

    @Test
    void loadsStrictlyAndScoresItsManifestsTestAccuracy() throws Exception {
        byte[] weights = resource("model.safetensors");
        String manifest = new String(resource("manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"model_sha256\": \"" + sha256(weights) + "\""),
                "manifest does not name this file's SHA-256 " + sha256(weights));

        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(1));
        LoadReport report = StateDicts.load(net, Safetensors.read(weights).tensors(), true);
        assertTrue(report.clean(), report.describe());

        Dataset test = Splits.source(FashionMnist.embedded(FashionMnist.Split.TEST));
        Evaluation ev = Evaluation.run(net, test, Normalize.FASHION_MNIST, 256);
        assertEquals(1000, ev.count());
        // 0.896 recorded; the scalar (no Vector API) path may round a borderline image differently.
        assertEquals(0.896, ev.accuracy(), 0.003, "test accuracy of the shipped checkpoint");
        assertTrue(manifest.contains("\"test_accuracy\": 0.896"), "manifest changed?");
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
