package org.finetune4j.kernels.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX is what build-ptx.sh makes from the current sources: its first line records
 * sha256(STEM.cu followed by every .cuh sorted by name), and where nvcc exists, regenerating
 * with build-ptx.sh's flags gives the same PTX apart from nvcc's "//" comment lines.
 */
class PtxInSyncTest {
    @Test
    void everyCuFileHasPtxWhoseHashLineMatchesTheSources() throws Exception {
        List<Path> cus = PtxRepo.sources(".cu");
        assertFalse(cus.isEmpty(), "no .cu files in " + PtxRepo.cudaDir());
        for (Path cu : cus) {
            String stem = PtxRepo.stem(cu);
            Path ptx = PtxRepo.ptxDir().resolve(stem + ".ptx");
            assertTrue(Files.exists(ptx), "missing " + ptx + ": run build-ptx.sh " + stem);
            String first = Files.readAllLines(ptx, StandardCharsets.UTF_8).get(0);
            String expected = "// generated from " + stem + ".cu sha256 " + sourceHash(cu) + " ";
            assertTrue(first.startsWith(expected), stem + ".ptx is stale (run build-ptx.sh "
                    + stem + "): first line '" + first + "', expected it to start with '"
                    + expected + "'");
        }
    }

    @Test
    void regeneratingWithNvccGivesTheCommittedPtx() throws Exception {
        Optional<Path> nvcc = PtxRepo.onPath("nvcc");
        assumeTrue(nvcc.isPresent(), "nvcc not on the PATH: PTX regeneration not checked");
        Path tmp = Files.createTempDirectory("ptx-in-sync");
        try {
            for (Path cu : PtxRepo.sources(".cu")) {
                String stem = PtxRepo.stem(cu);
                Path out = tmp.resolve(stem + ".ptx");
                PtxRepo.Result r = PtxRepo.run(List.of(nvcc.get().toString(), "--ptx",
                        "-arch=compute_75", "-O3", "-std=c++17", "-I" + PtxRepo.cudaDir(),
                        "-o", out.toString(), cu.toString()));
                assertEquals(0, r.exitCode(), "nvcc failed on " + stem + ".cu:\n" + r.output());
                Path committed = PtxRepo.ptxDir().resolve(stem + ".ptx");
                assertEquals(withoutComments(committed), withoutComments(out),
                        stem + ".ptx differs from a fresh nvcc run: run build-ptx.sh " + stem);
            }
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path p : files.collect(Collectors.toList())) Files.delete(p);
            }
            Files.delete(tmp);
        }
    }

    /** sha256 of STEM.cu followed by every .cuh of the folder in name order, as build-ptx.sh. */
    static String sourceHash(Path cu) throws IOException, NoSuchAlgorithmException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Files.readAllBytes(cu));
        for (Path h : PtxRepo.sources(".cuh")) bytes.write(Files.readAllBytes(h));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        return HexFormat.of().formatHex(digest);
    }

    private static List<String> withoutComments(Path ptx) throws IOException {
        return Files.readAllLines(ptx, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("//")).collect(Collectors.toList());
    }
}
