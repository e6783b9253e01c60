package org.finetune4j.tensor.cpu;

/**
 * The one switch between the Vector API kernels and their scalar twins.
 *
 * <p>ENABLED is true when the JVM was started with {@code --add-modules jdk.incubator.vector} and
 * {@code -Dfinetune4j.simd=false} was not given. Classes that import jdk.incubator.vector (e.g.
 * SimdGemmKernel) are only touched behind {@code if (Simd.ENABLED)}, so the engine runs, on the
 * scalar path, on a JVM without the incubator module.
 */
public final class Simd {
    public static final boolean ENABLED =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !"false".equals(System.getProperty("finetune4j.simd"));

    private Simd() {}

    /** The path in use, for logs and benchmark reports: "Vector API, 512-bit" or "scalar". */
    public static String describe() {
        return ENABLED ? "Vector API, " + SimdGemmKernel.vectorBits() + "-bit" : "scalar";
    }
}
