package org.finetune4j.kernels.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-check.sh's retargeting of the JCuda JNI libraries (src/test/cuda/retarget_soname.py),
 * checked without a GPU: the glibc loader must accept the rewritten JCublas2 and JCudnn against
 * a stand-in libcublas.so.13 / libcudnn.so.9 that exports every function they import under the
 * new version name, and must refuse a copy whose string was rewritten without the version hash
 * (so the test can tell a correct rewrite from a half one). Whether NVIDIA's libraries of those
 * sonames keep the ABI of the calls we make is only answered on a GPU. Skipped without python3,
 * gcc or readelf.
 */
class RetargetSonameTest {
    @Test
    void retargetedJcublasLoadsAgainstLibcublas13(@TempDir Path tmp) throws Exception {
        check(tmp, "/lib/libJCublas2-12.0.0-linux-x86_64.so", "libcublas.so.12",
                "libcublas.so.13");
    }

    @Test
    void retargetedJcudnnLoadsAgainstLibcudnn9(@TempDir Path tmp) throws Exception {
        // jcudnn-natives' own file: the bytes our jar ships as libJCudnn-12.0.0-linux-x86_64.so.
        check(tmp, "/lib/libJCudnn-11.7.0-linux-x86_64.so", "libcudnn.so.8", "libcudnn.so.9");
    }

    private void check(Path tmp, String resource, String oldName, String newName)
            throws Exception {
        Optional<Path> python = PtxRepo.onPath("python3");
        Optional<Path> gcc = PtxRepo.onPath("gcc");
        Optional<Path> readelf = PtxRepo.onPath("readelf");
        Assumptions.assumeTrue(python.isPresent() && gcc.isPresent() && readelf.isPresent(),
                "needs python3, gcc and readelf on the PATH");
        Path original = tmp.resolve("original.so");
        try (InputStream in = RetargetSonameTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is not on the test class path");
            Files.copy(in, original);
        }
        Path script = PtxRepo.cudaDir().resolve("../../test/cuda/retarget_soname.py").normalize();
        Path retargeted = tmp.resolve("retargeted.so");
        PtxRepo.Result r = PtxRepo.run(List.of(python.get().toString(), script.toString(),
                original.toString(), retargeted.toString(), oldName, newName));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("1 version hash(es)"), r.output());

        Path stubDir = Files.createDirectories(tmp.resolve("stub"));
        buildStandIn(tmp, stubDir, original, oldName, newName, readelf.get(), gcc.get());
        Result loaded = dlopen(python.get(), retargeted, stubDir);
        assertEquals(0, loaded.exitCode, "the retargeted library does not load:\n" + loaded.out);

        // The same rewrite without the version hash: glibc must refuse it.
        byte[] bytes = Files.readAllBytes(original);
        Path half = tmp.resolve("string-only.so");
        Files.write(half, replace(bytes, nulTerminated(oldName), nulTerminated(newName)));
        Result refused = dlopen(python.get(), half, stubDir);
        assertTrue(refused.exitCode != 0
                        && refused.out.contains("version `" + newName + "' not found"),
                "a string-only rewrite should fail the version check:\n" + refused.out);
    }

    /** stubDir/newName exporting every function the library imports from oldName, as newName. */
    private static void buildStandIn(Path tmp, Path stubDir, Path library, String oldName,
                                     String newName, Path readelf, Path gcc) throws Exception {
        PtxRepo.Result syms = PtxRepo.run(List.of(readelf.toString(), "--dyn-syms", "-W",
                library.toString()));
        assertEquals(0, syms.exitCode(), syms.output());
        List<String> functions = new ArrayList<>();
        for (String line : syms.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[6].equals("UND") && f[7].endsWith("@" + oldName)) {
                String name = f[7].substring(0, f[7].indexOf('@'));
                if (!functions.contains(name)) functions.add(name);
            }
        }
        assertTrue(functions.size() > 10, "few imports from " + oldName + ": " + functions);
        StringBuilder c = new StringBuilder();
        for (String name : functions) c.append("void ").append(name).append("(void) {}\n");
        Path source = Files.writeString(tmp.resolve("stand_in.c"), c);
        Path map = Files.writeString(tmp.resolve("version.map"), newName + " { global: *; };\n");
        PtxRepo.Result built = PtxRepo.run(List.of(gcc.toString(), "-shared", "-fPIC",
                "-Wl,-soname," + newName, "-Wl,--version-script=" + map, "-o",
                stubDir.resolve(newName).toString(), source.toString()));
        assertEquals(0, built.exitCode(), built.output());
    }

    private record Result(int exitCode, String out) {}

    /** dlopen(library, RTLD_NOW) in a python3 child with the stand-in on LD_LIBRARY_PATH. */
    private static Result dlopen(Path python, Path library, Path stubDir)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "-c",
                "import ctypes, os, sys; ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW)",
                library.toString()).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", stubDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private static byte[] nulTerminated(String name) {
        return ("\0" + name + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] replace(byte[] data, byte[] from, byte[] to) {
        byte[] out = data.clone();
        for (int i = 0; i + from.length <= out.length; i++) {
            boolean match = true;
            for (int j = 0; j < from.length && match; j++) match = out[i + j] == from[j];
            if (match) System.arraycopy(to, 0, out, i, to.length);
        }
        return out;
    }
}
