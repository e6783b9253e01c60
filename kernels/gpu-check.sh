#!/usr/bin/env bash
# gpu-check.sh: check the CUDA backend on a GPU machine that has no Java, Maven or network.
#   pack  (here: repo, JDK 17, Maven)  builds and writes kernels/gpu-check/ (<= 60 MiB): a jlink-ed
#         Java 17 runtime, lib/finetune4j.jar (engine, CUDA backend, JMH benchmarks), the JUnit
#         console, the test classes of tensor, kernels and bench, and a copy of this script.
#   run   (GPU machine: bash, coreutils, NVIDIA driver)  from the packed folder or the repo: finds
#         CUDA libraries of a Python environment, runs the parity suites, the resnet-mini
#         CUDA-vs-CPU training step and the GPU JMH benchmarks within 8 minutes, names the paths
#         tested (driver-API PTX always; cuBLAS and cuDNN where they loaded) and ends PASS/FAIL.
#         Where only CUDA 13 / cuDNN 9 exist, a second pass retries cuBLAS and cuDNN through
#         copies of the JCuda JNI libraries retargeted at libcublas.so.13 and libcudnn.so.9
#         (natives-retargeted/, made by pack with src/test/cuda/retarget_soname.py).
# Environment: MVN_FLAGS (pack, e.g. -o); GPU_CHECK_BUDGET_S (run, default 480 s in all);
# GPU_CHECK_FORCE=1 (run past the GPU check on a machine without one: tests the script itself).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
LIMIT_MIB=60
JUNIT_VERSION=1.14.4
JUNIT_JAR=junit-platform-console-standalone-$JUNIT_VERSION.jar
# Modules the run needs beyond what jdeps finds: the incubating Vector API (CPU kernels),
# java.management (JMH), jdk.unsupported (sun.misc.Unsafe users), java.logging (the backend's
# System.Logger line). Left out although jdeps lists them: java.desktop (xchart plots and
# ImageFolder decoding, not on the check's path) and java.sql (JUnit params' CSV parser).
EXTRA_MODULES=java.logging,java.management,jdk.incubator.vector,jdk.unsupported
DROP_MODULES='^(java\.desktop|java\.sql)$'

die() { echo "gpu-check: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------- pack

pack() {
    local root out jar junit mods size
    root=$(cd "$HERE/.." && pwd)
    [ -f "$root/pom.xml" ] && [ -d "$root/kernels" ] || die "pack runs from the repository (kernels/gpu-check.sh)"
    for tool in mvn jlink jdeps java; do command -v $tool >/dev/null || die "pack needs $tool (JDK 17 + Maven)"; done
    java -version 2>&1 | head -1 | grep -q '"17' || die "pack needs JDK 17 (jlink builds the runtime from it): $(java -version 2>&1 | head -1)"
    echo "== building (mvn package -DskipTests compiles the test classes too)"
    (cd "$root" && mvn -B -q ${MVN_FLAGS:-} package -DskipTests) || die "maven build failed"
    jar=$root/bench/target/finetune4j.jar
    junit=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/$JUNIT_JAR
    [ -f "$jar" ] || die "no $jar after the build"
    [ -f "$junit" ] || die "no $junit (run: mvn dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION)"
    out=$root/kernels/gpu-check
    rm -rf "$out"
    mkdir -p "$out/lib" "$out/test-classes"
    mods=$( { jdeps --multi-release 17 --ignore-missing-deps --print-module-deps "$jar" "$junit" 2>/dev/null \
              | tail -1 | tr ',' '\n'; echo "$EXTRA_MODULES" | tr ',' '\n'; } \
            | grep -Ev "$DROP_MODULES" | grep . | sort -u | paste -sd, -)
    echo "== jlink: $mods"
    jlink --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=2 \
          --output "$out/runtime" 2>&1 | grep -v 'incubator modules' || true
    [ -x "$out/runtime/bin/java" ] || die "jlink wrote no runtime"
    # Distribution JDKs ship libjvm.so with its symbol table (about 3 MiB); dlopen needs only
    # .dynsym, so dropping the rest keeps the pack under its limit. Harmless where absent.
    if command -v strip >/dev/null; then
        find "$out/runtime/lib" -name '*.so' -exec strip --strip-unneeded {} +
    fi
    cp "$jar" "$junit" "$out/lib/"
    for m in tensor kernels bench; do
        cp -r "$root/$m/target/test-classes" "$out/test-classes/$m"
    done
    retarget_natives "$root" "$jar" "$out/natives-retargeted"
    cp "$SELF" "$out/gpu-check.sh"
    chmod +x "$out/gpu-check.sh"
    {
        echo "packed $(date -u +%FT%TZ) from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
        echo "runtime modules: $mods"
        "$out/runtime/bin/java" -version 2>&1 | head -1
    } > "$out/PACKED.txt"
    "$out/runtime/bin/java" -version >/dev/null 2>&1 || die "the packed runtime does not start"
    echo "== contents"
    du -sh "$out/runtime" "$out/lib/"* "$out/test-classes" | sed 's#'"$out"'/##'
    size=$(du -sm "$out" | cut -f1)
    echo "== $out: ${size} MiB (limit $LIMIT_MIB MiB)"
    [ "$size" -le "$LIMIT_MIB" ] || die "pack is ${size} MiB, over the $LIMIT_MIB MiB limit"
}

# Copies of JCublas2 and JCudnn (from the jar) pointing at the CUDA 13 / cuDNN 9 sonames, for
# run's second pass. Optional: without python3 the pass is simply not offered.
retarget_natives() {
    local root=$1 jar=$2 dir=$3 tmp
    command -v python3 >/dev/null || { echo "== no python3: natives-retargeted/ not packed"; return 0; }
    tmp=$(mktemp -d)
    python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for name in sys.argv[3:]:
    open(sys.argv[2] + "/" + name.split("/")[-1], "wb").write(z.read(name))' "$jar" "$tmp" \
        lib/libJCublas2-12.0.0-linux-x86_64.so lib/libJCudnn-12.0.0-linux-x86_64.so \
        || die "the jar lacks the JCublas2 / JCudnn natives"
    mkdir -p "$dir"
    echo "== natives-retargeted"
    python3 "$root/kernels/src/test/cuda/retarget_soname.py" "$tmp/libJCublas2-12.0.0-linux-x86_64.so" \
        "$dir/libJCublas2-12.0.0-linux-x86_64.so" libcublas.so.12 libcublas.so.13 | sed "s#$dir/#   #"
    python3 "$root/kernels/src/test/cuda/retarget_soname.py" "$tmp/libJCudnn-12.0.0-linux-x86_64.so" \
        "$dir/libJCudnn-12.0.0-linux-x86_64.so" libcudnn.so.8 libcudnn.so.9 | sed "s#$dir/#   #"
    rm -rf "$tmp"
}

# ---------------------------------------------------------------------------- run

packed_dir() {
    if [ -x "$HERE/runtime/bin/java" ]; then echo "$HERE"
    elif [ -x "$HERE/gpu-check/runtime/bin/java" ]; then echo "$HERE/gpu-check"
    else return 1; fi
}

# Directories nvidia/*/lib of pip wheels (nvidia-cublas-cu12, nvidia-cudnn-cu12, the CUDA 13
# "nvidia/cu13/lib" layout, ...), from python3 when present, else from the usual install places.
nvidia_lib_dirs() {
    local roots=() base d
    if command -v python3 >/dev/null; then
        base=$(timeout 30 python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null || true)
        [ -n "$base" ] && roots+=("$base")
    fi
    for d in /usr/local/lib/python3*/dist-packages /usr/local/lib/python3*/site-packages \
             /usr/lib/python3*/dist-packages /usr/lib/python3*/site-packages \
             /opt/conda/lib/python3*/site-packages /opt/conda/envs/*/lib/python3*/site-packages \
             "$HOME"/.local/lib/python3*/site-packages /opt/venv/lib/python3*/site-packages; do
        [ -d "$d/nvidia" ] && roots+=("$d")
    done
    for base in "${roots[@]}"; do
        for d in "$base"/nvidia/*/lib; do
            compgen -G "$d/*.so*" >/dev/null && echo "$d"
        done
    done | awk '!seen[$0]++'
}

# First file named $1 in LD_LIBRARY_PATH, the loader cache or the usual driver directories.
find_library() {
    local name=$1 d
    local IFS=:
    for d in ${LD_LIBRARY_PATH:-} /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 \
             /usr/local/cuda/lib64 /usr/lib/wsl/lib; do
        [ -n "$d" ] && [ -e "$d/$name" ] && { echo "$d/$name"; return 0; }
    done
    unset IFS
    command -v ldconfig >/dev/null && ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n {print $NF; exit}' | grep . && return 0
    return 1
}

run() {
    local pack java cp jopts start budget log jmh_rc left libs d lib gpus
    start=$(date +%s)
    budget=${GPU_CHECK_BUDGET_S:-480}
    pack=$(packed_dir) || die "no packed folder next to $SELF; run 'kernels/gpu-check.sh pack' first (JDK 17 + Maven)"
    java=$pack/runtime/bin/java
    log=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
    echo "== gpu-check run: $pack (logs in $log)"
    [ -f "$pack/PACKED.txt" ] && sed 's/^/   /' "$pack/PACKED.txt"

    echo "== bundled runtime"
    "$java" -version 2>&1 | sed 's/^/   /' || die "FAIL: the bundled runtime does not start ($java)"
    cp=$pack/lib/finetune4j.jar:$pack/test-classes/bench:$pack/test-classes/kernels:$pack/test-classes/tensor
    jopts=(--add-modules jdk.incubator.vector -Xss4m -XX:+UseParallelGC -Xmx16g)
    local sel=(--select-package org.finetune4j.kernels.parity --select-class org.finetune4j.bench.CudaTrainingStepTest)
    local found
    found=$("$java" "${jopts[@]}" -jar "$pack/lib/$JUNIT_JAR" discover -cp "$cp" "${sel[@]}" \
            --disable-banner --disable-ansi-colors --details=tree 2>&1 | grep -v 'incubator modules' || true)
    echo "$found" > "$log/discover.txt"
    local ntests
    ntests=$(echo "$found" | awk '/tests found/ {print $2}' | tail -1)
    [ -n "$ntests" ] && [ "$ntests" -gt 0 ] || { echo "$found" | tail -20; die "FAIL: the class path does not resolve: JUnit found no tests"; }
    echo "   class path resolves: $ntests tests in $(echo "$found" | grep -cE 'Test$' || true) classes" \
         "(kernels parity suites + CudaTrainingStepTest)"

    echo "== CUDA libraries"
    libs=$(nvidia_lib_dirs || true)
    if [ -n "$libs" ]; then
        while read -r d; do
            echo "   python nvidia libs: $d ($(cd "$d" && ls *.so* 2>/dev/null | grep -E '^lib(cublas|cublasLt|cudnn|cudart)\.so' | paste -sd' ' -))"
            LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        done <<< "$libs"
        export LD_LIBRARY_PATH
    else
        echo "   no Python nvidia/*/lib folders found (cuBLAS can then only come from the system)"
    fi
    for lib in libcuda.so.1 libcublas.so.12 libcublasLt.so.12 libcublas.so.13 libcudnn.so.9 libcudnn.so.8; do
        echo "   $lib: $(find_library $lib || echo 'not found')"
    done
    if command -v nvidia-smi >/dev/null; then
        gpus=$(timeout 30 nvidia-smi -L 2>&1 || true)
        echo "$gpus" | sed 's/^/   nvidia-smi: /'
        echo "   driver: $(timeout 30 nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || echo '?')"
    else
        echo "   nvidia-smi: not installed"
    fi
    if [ -n "${GPU_CHECK_FORCE:-}" ]; then
        echo "   GPU_CHECK_FORCE set: running without checking for a GPU (the tests then skip: FAIL)"
    elif ! find_library libcuda.so.1 >/dev/null; then
        echo "FAIL: no GPU here: libcuda.so.1 (the NVIDIA driver) is not installed"; return 2
    elif ! compgen -G '/dev/nvidia[0-9]*' >/dev/null && ! echo "${gpus:-}" | grep -q '^GPU '; then
        echo "FAIL: no GPU here: the driver library exists but no /dev/nvidiaN device or nvidia-smi GPU"; return 2
    fi

    left=$(( budget - ($(date +%s) - start) ))
    echo "== tests, JCuda natives as shipped (timeout $(( left * 40 / 100 ))s): kernels parity suites + CudaTrainingStepTest"
    tests "$(( left * 40 / 100 ))" "$log/tests.txt" "" || true
    local jmh_libpath=""
    if [ -d "$pack/natives-retargeted" ] && { [ -z "$(probe_line "$log/tests.txt" 'cuBLAS ok')" ] \
            || [ -z "$(probe_line "$log/tests.txt" 'cuDNN ok')" ]; } \
            && { find_library libcublas.so.13 >/dev/null || find_library libcudnn.so.9 >/dev/null; }; then
        echo "== probe with natives-retargeted (JCublas2 -> libcublas.so.13, JCudnn -> libcudnn.so.9)"
        set +e
        timeout 60 "$java" "${jopts[@]}" -Djava.library.path="$pack/natives-retargeted" \
            -jar "$pack/lib/$JUNIT_JAR" execute -cp "$cp" \
            --select-method org.finetune4j.kernels.cuda.CudaAvailabilityTest#probeNeverThrowsAndExplainsItself \
            --disable-banner --disable-ansi-colors > "$log/probe-retargeted.txt" 2>&1
        set -e
        grep -h -m2 -E '^(probe|path): ' "$log/probe-retargeted.txt" | sed 's/^/   /' || true
        if grep -qE 'cuBLAS ok|cuDNN ok' "$log/probe-retargeted.txt"; then
            left=$(( budget - ($(date +%s) - start) ))
            echo "== tests with natives-retargeted (timeout $(( left * 50 / 100 ))s)"
            tests "$(( left * 50 / 100 ))" "$log/tests-retargeted.txt" "$pack/natives-retargeted" || true
            jmh_libpath=$pack/natives-retargeted
        else
            echo "   neither library loads retargeted: that pass is skipped"
        fi
    fi

    left=$(( budget - ($(date +%s) - start) - 15 ))
    echo "== GPU JMH benchmarks (timeout ${left}s, short settings${jmh_libpath:+, natives-retargeted})"
    jmh_rc=124
    if [ "$left" -gt 30 ]; then
        local jvm_extra=()
        [ -n "$jmh_libpath" ] && jvm_extra=(-jvmArgsAppend "-Djava.library.path=$jmh_libpath")
        set +e
        timeout --kill-after=10 "$left" "$java" --add-modules jdk.incubator.vector -cp "$pack/lib/finetune4j.jar" \
            ${jmh_libpath:+-Djava.library.path=$jmh_libpath} org.openjdk.jmh.Main \
            'CudaGemmBench|CudaFusedBandwidthBench|CudaTrainStepBench|CudaTransferBench' \
            -f 1 -wi 1 -w 1s -i 2 -r 1s -foe false -p device=cuda,cuda-ptx -p width=1 -p mib=16,256 "${jvm_extra[@]}" \
            -rf text -rff "$log/jmh-results.txt" > "$log/jmh.txt" 2>&1
        jmh_rc=$?
        set -e
        grep -E '^(# (Benchmark|Parameters):|Benchmark |Cuda|java\.lang\.\w+(Exception|Error))|<failure>' "$log/jmh.txt" \
            | grep -v 'incubator' | sed 's/^/   /' || true
        [ -f "$log/jmh-results.txt" ] && sed 's/^/   /' "$log/jmh-results.txt"
    else
        echo "   skipped: no time left"
    fi

    report "$log" "$jmh_rc"
}

# tests TIMEOUT_S OUT LIBPATH: the parity suites and the training step, tree output to OUT.
tests() {
    local timeout_s=$1 out=$2 libpath=$3 rc
    set +e
    timeout --kill-after=10 "$timeout_s" "$java" "${jopts[@]}" ${libpath:+-Djava.library.path=$libpath} \
        -jar "$pack/lib/$JUNIT_JAR" execute -cp "$cp" "${sel[@]}" --disable-banner --disable-ansi-colors \
        --details=tree --details-theme=ascii > "$out" 2>&1
    rc=$?
    set -e
    grep -v 'incubator modules' "$out" | sed 's/^/   /'
    echo "$rc" > "$out.rc"
    return "$rc"
}

# The first line of FILE containing TEXT (the probe prints "probe: ... cuBLAS ok; cuDNN ok").
probe_line() {
    grep -h -m1 "$2" "$1" 2>/dev/null || true
}

# Which paths ran, then PASS/FAIL. The backend logs one line naming its path ("CUDA path: ..."),
# and CudaTrainingStepTest prints the probe ("cuBLAS ok" or "cuBLAS unavailable (...)", the same
# for cuDNN). A test skipped because cuDNN did not load is expected; one skipped for want of a GPU
# is a failure.
report() {
    local log=$1 jmh_rc=$2 ok=1 why=() line lib f
    echo "== paths"
    line=$(grep -h -m1 'CUDA path:' "$log/tests.txt" "$log/jmh.txt" 2>/dev/null | head -1 || true)
    echo "   backend log: ${line:-no 'CUDA path:' line (the backend never opened)}"
    if [ -n "$line" ]; then echo "   driver-API PTX kernels: TESTED (always)"; else echo "   driver-API PTX kernels: not reached"; fi
    for lib in cuBLAS cuDNN; do
        if grep -q "$lib ok" "$log/tests.txt" 2>/dev/null; then
            echo "   $lib: TESTED with the shipped JCuda natives"
        elif grep -q "$lib ok" "$log/tests-retargeted.txt" 2>/dev/null; then
            echo "   $lib: TESTED with natives-retargeted (CUDA 13 / cuDNN 9 sonames)"
        else
            echo "   $lib: not tested ($(grep -ho -m1 "$lib unavailable[^;]*" "$log/tests.txt" "$log/jmh.txt" 2>/dev/null | head -1 || echo 'no probe output'))"
        fi
    done

    local ok_tests=0 n rc aborted failed
    for f in "$log/tests.txt" "$log/tests-retargeted.txt"; do
        [ -f "$f" ] || continue
        rc=$(cat "$f.rc" 2>/dev/null || echo 1)
        n=$(awk '/tests successful/ {print $2}' "$f" | tail -1)
        failed=$(awk '/tests failed/ {print $2}' "$f" | tail -1)
        aborted=$(grep -c 'needs cuda:0' "$f" || true)
        ok_tests=$(( ok_tests + ${n:-0} ))
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then ok=0; why+=("$(basename "$f"): timed out"); fi
        if [ "${failed:-1}" != 0 ] || [ "$rc" -ne 0 ]; then ok=0; why+=("$(basename "$f"): ${failed:-?} failed (rc $rc)"); fi
        if [ "$aborted" != 0 ]; then ok=0; why+=("$(basename "$f"): $aborted skipped for want of cuda:0"); fi
    done
    [ "$ok_tests" -gt 0 ] || { ok=0; why+=("no test succeeded"); }
    # A benchmark that failed, except the cuBLAS path of CudaGemmBench where cuBLAS did not load.
    local bad
    bad=$(awk '/^# Benchmark:/ {b=$3} /^# Parameters:/ {p=$0} /<failure>/ && !seen[b p]++ {print b " " p}' "$log/jmh.txt" 2>/dev/null || true)
    if ! grep -qh 'cuBLAS ok' "$log/tests.txt" "$log/tests-retargeted.txt" 2>/dev/null; then
        bad=$(echo "$bad" | grep -v 'path = cublas' || true)
    fi
    [ -z "$bad" ] || { ok=0; why+=("benchmarks failed: $(echo "$bad" | paste -sd';' -)"); }
    if [ "$jmh_rc" -ne 0 ]; then ok=0; why+=("JMH rc $jmh_rc$( [ "$jmh_rc" -eq 124 ] && echo ' (timed out)')"); fi
    echo "   logs: $log"
    if [ "$ok" -eq 1 ]; then
        echo "PASS: ${ok_tests} tests passed; GPU benchmarks ran"
    else
        local joined
        joined=$(printf '%s; ' "${why[@]}")
        echo "FAIL: ${joined%; }"
        return 1
    fi
}

case "${1:-}" in
    pack) pack ;;
    run) run ;;
    *) echo "usage: $0 pack|run   (pack: in the repo with JDK 17 + Maven; run: on the GPU machine)" >&2; exit 64 ;;
esac
