# -*- Python -*-
import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "VGGQ"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "Unit",
                   "regressions"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.vggq_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%vggq_src", config.vggq_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The shared folder (CIFAR-10 and the trained model): VGGQ_SHARED overrides
# the configured default. Tests that need it say `REQUIRES: shared`; with
# VGGQ_REQUIRE_SHARED=1 (CI) its absence is a configuration error, not a skip.
shared = os.environ.get("VGGQ_SHARED", config.vggq_shared_dir)
shared = os.path.abspath(shared)
if os.path.isfile(os.path.join(shared, "data", "cifar-10-batches-bin", "test_batch.bin")):
    config.available_features.add("shared")
    config.environment["VGGQ_SHARED"] = shared
elif os.environ.get("VGGQ_REQUIRE_SHARED") == "1":
    lit_config.fatal("VGGQ_REQUIRE_SHARED=1 but the shared folder is missing: %s" % shared)
else:
    lit_config.warning("shared folder not found at %s: tests that need the trained model "
                       "and CIFAR-10 are skipped (set VGGQ_SHARED)" % shared)
config.substitutions.append(("%shared", shared))

if config.vggq_ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.vggq_ptxas))
else:
    lit_config.warning("ptxas not found: kernel assembly tests are skipped")
if config.vggq_have_onnx in ("ON", "1", "TRUE"):
    config.available_features.add("onnx")
# ONNX's backend node tests (Debian's libonnx-testdata): test/ONNX runs them.
# VGGQ_ONNX_TESTDATA overrides where they are looked for.
onnx_testdata = os.environ.get("VGGQ_ONNX_TESTDATA", "/usr/share/libonnx-testdata/data/node")
if os.path.isfile(os.path.join(onnx_testdata, "test_relu", "model.onnx")):
    config.available_features.add("onnx-testdata")
    config.substitutions.append(("%onnx_testdata", onnx_testdata))
else:
    lit_config.warning("ONNX's node tests not found at %s (Debian package "
                       "libonnx-testdata): test/ONNX is skipped" % onnx_testdata)
# The libFuzzer targets (a build configured with -DVGGQ_FUZZ=ON).
if config.vggq_fuzz in ("ON", "1", "TRUE"):
    config.available_features.add("fuzz")
# A sanitized build: any report aborts the tool (-fno-sanitize-recover), so a
# test that expects a failure cannot pass on a sanitizer's abort; leaks are
# reported at exit.
if config.vggq_sanitize:
    config.available_features.add("sanitized")
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            config.environment[name] = os.environ[name]

config.environment["VGGQ_SRC"] = config.vggq_src_root

# The CUDA runtime (runtime/): built into the tools folder when the toolkit is
# present, or standalone (cmake -S runtime -B build-rt; VGGQ_RUNTIME_BIN=build-rt/bin).
# Tests of it say `REQUIRES: cuda-runtime`; `cuda-driver` marks a machine
# whose libcuda.so.1 loads (tests of the no-driver path are UNSUPPORTED there).
runtime_bin = os.environ.get("VGGQ_RUNTIME_BIN", config.vggq_tools_dir)
if os.path.isfile(os.path.join(runtime_bin, "vggq-run-cuda")):
    config.available_features.add("cuda-runtime")
    llvm_config.with_environment("PATH", os.path.abspath(runtime_bin), append_path=True)
else:
    lit_config.warning("vggq-run-cuda not built (no CUDA toolkit): runtime tests are skipped")
if config.vggq_ptxas:
    stub = os.path.join(os.path.dirname(os.path.dirname(config.vggq_ptxas)), "lib64", "stubs", "libcuda.so")
    if os.path.isfile(stub):
        config.available_features.add("cuda-stub")
        config.substitutions.append(("%cuda_stub", stub))
# A PTX emulator that stands in for the CUDA driver (runtime/emu/):
# `env VGGQ_LIBCUDA=%cuda_emu vggq-run-cuda ...` runs the kernels on the CPU.
# VGGQ_CUDA_EMU overrides where it is looked for.
cuda_emu = os.environ.get("VGGQ_CUDA_EMU",
                          os.path.join(os.path.dirname(os.path.abspath(runtime_bin)),
                                       "lib", "libvggq_cuda_emu.so"))
if os.path.isfile(cuda_emu):
    config.available_features.add("cuda-emu")
    config.substitutions.append(("%cuda_emu", os.path.abspath(cuda_emu)))
# The emulator's checkers are on unless VGGQ_EMU_CHECK says otherwise; it and
# the scheduler's seed pass through (VGGQ_EMU_CHECK=none for speed,
# VGGQ_EMU_SEED=N for another schedule).
for var in ("VGGQ_EMU_CHECK", "VGGQ_EMU_SEED", "VGGQ_EMU_THREADS"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
try:
    import numpy  # noqa: F401
    config.available_features.add("numpy")
except ImportError:
    # CI must not skip the numpy tests silently.
    if os.environ.get("VGGQ_REQUIRE_SHARED") == "1":
        lit_config.fatal("VGGQ_REQUIRE_SHARED=1 but %s cannot import numpy (python3-numpy)" % sys.executable)
    lit_config.warning("numpy not importable by %s: tests that need it are skipped" % sys.executable)

tool_dirs = [config.vggq_tools_dir, config.llvm_tools_dir]
tools = ["vggq-opt", "vggq-import", "vggq-export", "vggq-run", "vggq-compile"]
llvm_config.add_tool_substitutions([ToolSubst(t, unresolved="ignore") for t in tools], tool_dirs)
llvm_config.with_environment("PATH", config.vggq_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
