//===- Passes.td - vggq conversion passes ------------------*- tablegen -*-===//
//
// The passes that take a (quantized or FP32) vggq graph to GPU kernels: the
// static memory planner and the lowering to gpu + nvvm kernels with their
// host-side launch sequence.
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_CONVERSION_PASSES_TD
#define VGGQ_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def PlanMemory : Pass<"vggq-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Assign every device activation buffer to an offset in one arena";
  let description = [{
    Liveness-based static memory planning of `@forward` (other functions are
    left alone). Every activation scales with the batch, so sizes and offsets
    are in bytes per image: a buffer lives at `arena + offset * batch`.

    A buffer is every tensor the GPU lowering materializes (the same fusion
    rules, `vggq/Conversion/LayoutRules.h`): the input argument, the result
    of each fused conv/linear chain (conv [+ relu] [+ 2x2 max-pool]), each
    quantize and standalone pooling result. `vggq.flatten` aliases its operand;
    values absorbed into a fused kernel get no memory. Its live range runs
    from its defining op to its last use (the returned value lives to the
    end). Buffers are placed largest first at the lowest offset, aligned to
    `alignment`, that does not overlap any already placed buffer whose live
    range intersects; two buffers live at the same op never share bytes.

    Results: `vggq.offset_per_image` and `vggq.bytes_per_image` (i64) on
    every defining op (an argument attribute for the input), and
    `vggq.arena = {bytes_per_image, alignment}` on the function. The peak is
    a pass statistic and a remark, also given at `batch` images.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "256",
           "Alignment of every buffer offset, in bytes per image">,
    Option<"batch", "batch", "int64_t", "4096",
           "Batch size for the arena size given in the remark">,
  ];
  let statistics = [
    Statistic<"numBuffers", "num-buffers", "Number of arena buffers">,
    Statistic<"peakBytesPerImage", "peak-bytes-per-image",
              "Arena size in bytes per image">,
  ];
}

def LowerToGPU : Pass<"vggq-lower-to-gpu", "mlir::ModuleOp"> {
  let summary = "Lower @forward to NVPTX tensor-core kernels and a launch sequence";
  let description = [{
    Needs `--vggq-plan-memory` first. Replaces `func.func @forward` by

    - `gpu.module @vggq_kernels [#nvvm.target<chip = ..., features = "+ptx84">]`
      with one `gpu.func` kernel per fused layer, built at the nvvm / llvm /
      arith / scf level: implicit-GEMM conv and linear (8-bit tensor cores
      via `mma.sync m16n8k32`; FP32 on CUDA cores) with the relu and a 2x2
      max-pool or a residual add (qconv2d's `residual`, or an FP32 conv +
      `vggq.add` + relu; the residual tensor is a second arena input) in the
      epilogue, the input quantize, standalone max and average pools, the
      ResNet shortcut (`vggq.subsample_pad`) and the elementwise add
      (`vggq.add` with its relu, `vggq.qadd`). Each kernel records its
      choices as attributes (`vggq.tile = [BM, BN, BK]`, `vggq.stages`,
      `vggq.mma`, `vggq.block`, `vggq.shared_bytes`, `vggq.pool_fused`,
      `vggq.residual_fused`).
    - `func.func @vggq_forward(%arena, %weights, %batch)`: the host launch
      sequence, one `gpu.launch_func` per kernel on pointers into the arena
      (at `offset_per_image * batch`) and the weight blob. Each launch also
      carries the plan's description of itself (`vggq.layer`, `vggq.grid`,
      `vggq.args`, `vggq.out`), from which `vggq-compile` writes the plan
      of docs/ARTIFACT.md.
    - module attributes `vggq.weights` (regions: name, offset, bytes, dtype)
      and `vggq.weights_blob` (the bytes, a `dense_resource`), and
      `vggq.input`, `vggq.output`, `vggq.arena` on `@vggq_forward`.

    The MMA instruction, PTX types and minimum SM come from the precision
    registry; a chip below the precision's minimum SM is an error.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_89\"",
           "Target GPU: sm_89, sm_90 or sm_90a">,
    Option<"kUnroll", "k-unroll", "std::string", "\"auto\"",
           "Unroll the 8-bit GEMM K loop by the pipeline depth (constant "
           "ring slots, about a third fewer instructions, more registers): "
           "on, off, or auto (INT8 on; FP8 off: its unrolled kernels need "
           "~197 registers instead of ~170 and twice the ptxas time; "
           "two-consumer kernels off: unrolled, their 128 x 256 INT8 tiles "
           "double the ptxas time). FP32 kernels are never unrolled">,
    Option<"mma", "mma", "std::string", "\"auto\"",
           "Tensor-core instruction of the 8-bit and 16-bit GEMMs: mma.sync, "
           "wgmma (warpgroup MMA from shared-memory descriptors, sm_90a "
           "only), or auto (wgmma on sm_90a, mma.sync elsewhere)">,
    Option<"fp8Promote", "fp8-promote", "int64_t", "0",
           "FP8 wgmma only: every N K slices (64 elements each) add the "
           "tensor cores' partial sums into a separate f32 accumulator, as "
           "CUTLASS and DeepGEMM do against the ~13-bit FP8 accumulation; "
           "0 never">,
    Option<"bLoad", "b-load", "std::string", "\"auto\"",
           "How wgmma kernels load the weight tiles: tma (one "
           "cp.async.bulk.tensor.2d per K slice by one thread through a "
           "tiled tensor map with the ring's 64-byte swizzle, which the "
           "runtime encodes and passes by value, completed on an mbarrier "
           "per ring slot), cp.async (every thread copies 16-byte chunks, "
           "as mma.sync), or auto (tma with wgmma)">,
    Option<"stages", "stages", "int64_t", "0",
           "Ring slots of the GEMM kernels' K pipeline: 2 to 5, or 0 for "
           "the per-layer choice (3, or 2 when K has fewer than 3 slices). "
           "A ring (with the epilogue and mbarriers) past the 48 KiB of "
           "static shared memory is the kernel's dynamic shared memory (the "
           "plan's shared_bytes); past the chip's per-block limit (99 KiB "
           "on sm_89, 227 KiB on sm_90) it is an error naming the layer">,
    Option<"aLoad", "a-load", "std::string", "\"auto\"",
           "How wgmma kernels whose weights come by TMA load the activation "
           "tiles: tma (one cp.async.bulk.tensor.4d box of whole output "
           "rows or images per K slice, the padding as the map's zero fill, "
           "where the layer has stride 1, 64-byte pixel slices and such "
           "tiles; the other layers keep cp.async), cp.async (the per-"
           "thread im2col gather), or auto (tma with b-load tma)">,
    Option<"warpSpecialize", "warp-specialize", "std::string", "\"auto\"",
           "wgmma kernels with both operands by TMA: on gives each block a "
           "producer warpgroup (one thread issues the tensor copies, "
           "setmaxnreg 40) beside the consumer warpgroup (the wgmmas and "
           "the epilogue, setmaxnreg 216), with a full and an empty "
           "mbarrier per ring slot and no block barrier in the K loop; off "
           "keeps one warpgroup that does both; auto is off until it is "
           "timed on a GPU">,
    Option<"consumers", "consumers", "int64_t", "1",
           "Consumer warpgroups per warp-specialized block (warp-specialize="
           "on): 1, or 2 for 128-row tiles whose halves two warpgroups "
           "multiply against one B tile (384 threads, .maxnreg 168, "
           "setmaxnreg 40/232, one block per SM), 256 columns wide where "
           "C_out is a multiple of 256 and FP8 promotion is off">,
    Option<"persistent", "persistent", "bool", "false",
           "Warp-specialized kernels (warp-specialize=on) run a persistent "
           "grid: the runtime launches at most SMs x the kernel's blocks per "
           "SM (the plan's grid.persistent), each block loops over output "
           "tiles (the N tiles of one row block in turn), the ring's "
           "mbarrier phases run on across tiles and the epilogue stages "
           "through its own shared memory, so the producer loads the next "
           "tile while the consumers finish the last">,
  ];
  let dependentDialects = [
    "mlir::gpu::GPUDialect", "mlir::NVVM::NVVMDialect",
    "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
    "mlir::scf::SCFDialect", "mlir::func::FuncDialect",
    "mlir::vector::VectorDialect"
  ];
  let statistics = [
    Statistic<"numKernels", "num-kernels", "Number of kernels generated">,
    Statistic<"numFusedPools", "num-fused-pools",
              "Max-pools fused into a GEMM epilogue">,
    Statistic<"numFusedResiduals", "num-fused-residuals",
              "Residual adds in a GEMM epilogue">,
  ];
}

def TensorMapParams : Pass<"vggq-tensor-map-params", "mlir::gpu::GPUModuleOp"> {
  let summary = "Make the tensor-map arguments of NVVM kernels by-value "
                "__grid_constant__ CUtensorMap parameters";
  let description = [{
    Runs after `convert-gpu-to-nvvm` in `--vggq-serialize-kernels`. A
    `gpu.func` cannot carry `nvvm.grid_constant` (it is checked to be on an
    `llvm.func` kernel), so `--vggq-lower-to-gpu` marks its kernels' tensor
    map arguments (generic `!llvm.ptr`) with `vggq.tensor_map_args`, an
    array of argument indices. This pass gives each marked argument of the
    resulting `llvm.func` kernel `llvm.byval = !llvm.array<16 x i64>`,
    `llvm.align = 64` and `nvvm.grid_constant`, and drops the marker: the
    NVPTX back end then declares `.param .align 64 .b8 name[128]`, the
    128-byte map the runtime encodes passed by value, and the TMA reads it
    through the parameter's address. An index that is not a pointer
    argument of a kernel is an error naming the kernel.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::NVVM::NVVMDialect"];
  let statistics = [
    Statistic<"numTensorMaps", "num-tensor-maps",
              "Kernel arguments made by-value tensor maps">,
  ];
}

#endif // VGGQ_CONVERSION_PASSES_TD
