package org.finetune4j.kernels.ptx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Locates the CUDA sources and committed PTX of the kernels module from any working directory
 * (module or repository root) and finds nvcc/ptxas on the PATH. Shared by the PTX tests.
 */
final class PtxRepo {
    private PtxRepo() {}

    /** kernels/src/main/cuda, found by walking up from the working directory. */
    static Path cudaDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path cuda = d.resolve("kernels/src/main/cuda");
            if (Files.isDirectory(cuda)) return cuda;
            if (d.getFileName() != null && d.getFileName().toString().equals("kernels")
                    && Files.isDirectory(d.resolve("src/main/cuda"))) {
                return d.resolve("src/main/cuda");
            }
        }
        throw new IllegalStateException("kernels/src/main/cuda not found above " + dir);
    }

    static Path ptxDir() {
        return cudaDir().resolve("../resources/org/finetune4j/kernels/ptx").normalize();
    }

    static List<Path> sources(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(cudaDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted()
                    .collect(Collectors.toList());
        }
    }

    static String stem(Path cu) {
        String name = cu.getFileName().toString();
        return name.substring(0, name.length() - ".cu".length());
    }

    /** An executable of that name on the PATH, if any. */
    static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Runs a command, returning exit code and merged output. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        return new Result(proc.waitFor(), out);
    }

    record Result(int exitCode, String output) {}
}
