package org.finetune4j.kernels.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

/**
 * Whether CUDA can be used here, and if not, why: probed once per process, never throws. Three
 * independent layers: the driver (libcuda.so.1 via JCudaDriver, then cuInit and the device list),
 * cuBLAS (JCublas2 + libcublas.so.12) and cuDNN (JCudnn + libcudnn.so.8). The backend needs the
 * driver and a device; without cuBLAS or cuDNN it runs our own PTX kernels only
 * ({@link #activePath()} is the one log line that says which).
 */
public final class CudaAvailability {
    private static final int COMPUTE_CAPABILITY_MAJOR =
            CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
    private static final int COMPUTE_CAPABILITY_MINOR =
            CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;

    private final String driverProblem;     // null: driver loaded and cuInit succeeded
    private final List<String> devices;     // per ordinal: "NVIDIA H200 (sm_90)"
    private final String cublasProblem;     // null: cuBLAS usable
    private final String cudnnProblem;      // null: cuDNN usable

    CudaAvailability(String driverProblem, List<String> devices, String cublasProblem,
                     String cudnnProblem) {
        this.driverProblem = driverProblem;
        this.devices = List.copyOf(devices);
        this.cublasProblem = cublasProblem;
        this.cudnnProblem = cudnnProblem;
    }

    /** The process-wide probe result (computed on first use). */
    public static CudaAvailability get() {
        return Holder.PROBED;
    }

    private static final class Holder {
        static final CudaAvailability PROBED = probe();
    }

    /** True when the driver loads and at least one device exists. */
    public boolean available() {
        return driverProblem == null && !devices.isEmpty();
    }

    public boolean available(int ordinal) {
        return unavailableReason(ordinal).isEmpty();
    }

    /** Why cuda:ordinal cannot be used, or empty when it can. */
    public Optional<String> unavailableReason(int ordinal) {
        if (driverProblem != null) return Optional.of(driverProblem);
        if (devices.isEmpty()) return Optional.of("no CUDA device: the driver reports 0 devices");
        if (ordinal >= devices.size()) {
            return Optional.of("no CUDA device cuda:" + ordinal + ": the driver reports "
                    + devices.size() + " device(s): " + deviceList());
        }
        return Optional.empty();
    }

    public int deviceCount() {
        return devices.size();
    }

    public boolean cublas() {
        return cublasProblem == null;
    }

    public boolean cudnn() {
        return cudnnProblem == null;
    }

    /** cuBLAS runs the GEMMs: it loads and -Dfinetune4j.cuda.gemm=ptx does not forbid it. */
    public boolean useCublas() {
        return cublas() && !forcedPtx("finetune4j.cuda.gemm");
    }

    /**
     * cuDNN runs convolution, batch norm and average pooling: it loads and
     * -Dfinetune4j.cuda.dnn=ptx does not forbid it.
     */
    public boolean useCudnn() {
        return cudnn() && !forcedPtx("finetune4j.cuda.dnn");
    }

    /** One line for the log: which implementation path the CUDA backend will use. */
    public String activePath() {
        String blas = cublas() ? "forced off by -Dfinetune4j.cuda.gemm=ptx"
                : "cuBLAS unavailable: " + cublasProblem;
        String dnn = cudnn() ? "forced off by -Dfinetune4j.cuda.dnn=ptx"
                : "cuDNN unavailable: " + cudnnProblem;
        if (!useCublas() && !useCudnn()) {
            return "CUDA path: driver-API PTX kernels only (" + blas + "; " + dnn + ")";
        }
        return "CUDA path: " + (useCublas() ? "cuBLAS GEMM" : "PTX GEMM (" + blas + ")") + ", "
                + (useCudnn() ? "cuDNN convolution, batch norm and average pooling"
                : "PTX convolution, batch norm and pooling (" + dnn + ")")
                + ", PTX kernels for the rest";
    }

    private static boolean forcedPtx(String property) {
        return "ptx".equalsIgnoreCase(System.getProperty(property, ""));
    }

    /** Everything the probe found, one line. */
    public String describe() {
        String driver = available() ? "CUDA available: " + deviceList()
                : "CUDA unavailable: " + unavailableReason(0).orElseThrow();
        return driver + "; cuBLAS " + (cublas() ? "ok" : "unavailable (" + cublasProblem + ")")
                + "; cuDNN " + (cudnn() ? "ok" : "unavailable (" + cudnnProblem + ")");
    }

    @Override
    public String toString() {
        return describe();
    }

    private String deviceList() {
        List<String> named = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) named.add("cuda:" + i + " " + devices.get(i));
        return String.join(", ", named);
    }

    // ---------------------------------------------------------------- the probe itself

    static CudaAvailability probe() {
        String driverProblem = null;
        List<String> devices = new ArrayList<>();
        try {
            JCudaDriver.setExceptionsEnabled(true);                   // loads libcuda.so.1
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            for (int i = 0; i < count[0]; i++) devices.add(describeDevice(i));
        } catch (LinkageError e) {
            String cause = shortCause(e);
            driverProblem = cause.contains("libcuda")
                    ? "no CUDA driver: libcuda.so.1 could not be loaded (" + cause + ")"
                    : "no CUDA driver binding: the JCudaDriver native library could not be loaded ("
                    + cause + ")";
        } catch (RuntimeException e) {                                 // CudaException from cuInit
            String m = String.valueOf(e.getMessage());
            driverProblem = m.contains("CUDA_ERROR_NO_DEVICE")
                    ? "no CUDA device: the driver reports 0 devices (cuInit: " + m + ")"
                    : "CUDA driver unusable: " + m;
        }
        String cublas = probeLibrary("libcublas.so.12", () -> JCublas2.setExceptionsEnabled(true));
        String cudnn = probeLibrary("libcudnn.so.8", () -> JCudnn.setExceptionsEnabled(true));
        return new CudaAvailability(driverProblem, devices, cublas, cudnn);
    }

    private static String describeDevice(int ordinal) {
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int[] major = new int[1];
        int[] minor = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, COMPUTE_CAPABILITY_MAJOR, device);
        JCudaDriver.cuDeviceGetAttribute(minor, COMPUTE_CAPABILITY_MINOR, device);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        String text = new String(name, 0, len, StandardCharsets.US_ASCII);
        return text + " (sm_" + major[0] + minor[0] + ")";
    }

    /** Runs the class initialiser that loads a JCuda library; null on success, else why not. */
    private static String probeLibrary(String systemLibrary, Runnable load) {
        try {
            load.run();
            return null;
        } catch (LinkageError | RuntimeException e) {
            String cause = shortCause(e);
            if (cause.contains("No resource found with name")) {
                cause += "; the natives jar does not match the jcuda core version (JCuda looks for"
                        + " natives named after the core version)";
            }
            return systemLibrary + " or its JCuda binding not loadable: " + cause;
        }
    }

    /**
     * The informative line of JCuda's multi-page loader message: the dlopen error ("libcuda.so.1:
     * cannot open shared object file: ...") or the missing resource, without stack traces.
     */
    static String shortCause(Throwable t) {
        String fallback = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) continue;
            for (String line : m.split("\n")) {
                int so = line.indexOf(": cannot open shared object file");
                if (so >= 0) return stripPath(line.substring(0, so)) + line.substring(so);
                int missing = line.indexOf("No resource found with name");
                if (missing >= 0) return line.substring(missing).trim();
            }
            if (fallback == null) fallback = c.getClass().getSimpleName() + ": " + m.split("\n")[0];
        }
        return fallback != null ? fallback : t.getClass().getSimpleName();
    }

    /** "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver.so: libcuda.so.1" -> "libcuda.so.1". */
    private static String stripPath(String head) {
        int colon = head.lastIndexOf(": ");
        return colon >= 0 ? head.substring(colon + 2) : head;
    }
}
