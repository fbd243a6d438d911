// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_90a 2>/dev/null | FileCheck %s
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a mma=mma.sync" 2>/dev/null | FileCheck %s --check-prefix=SYNC
// RUN: vggq-compile %s --chip sm_90a --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=PTX
// RUN: vggq-compile %s --chip sm_90a --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=PTXMAP
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90 mma=wgmma" 2>&1 | FileCheck %s --check-prefix=NOTA
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a mma=wmma" 2>&1 | FileCheck %s --check-prefix=BADMMA
// RUN: not vggq-compile %s --chip sm_89 --mma wgmma --emit ptx -o - 2>&1 | FileCheck %s --check-prefix=COMPILE89
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a fp8-promote=1" 2>/dev/null | FileCheck %s --check-prefix=PROMOTE1
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a fp8-promote=2" 2>/dev/null | FileCheck %s --check-prefix=PROMOTE2
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90 fp8-promote=2" 2>&1 | FileCheck %s --check-prefix=PROMOTESYNC
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a fp8-promote=-1" 2>&1 | FileCheck %s --check-prefix=PROMOTENEG
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_90a 2>/dev/null | FileCheck %s --check-prefix=TMA
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a b-load=cp.async" 2>/dev/null | FileCheck %s --check-prefix=CPASYNC
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a a-load=cp.async" 2>/dev/null | FileCheck %s --check-prefix=ACPASYNC
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a stages=2" 2>/dev/null | FileCheck %s --check-prefix=STAGES2
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a stages=4" 2>/dev/null | FileCheck %s --check-prefix=STAGES4
// RUN: vggq-compile %s --chip sm_90a --stages 5 --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=STAGES5PTX
// RUN: vggq-compile %s --chip sm_90a --stages 5 --emit plan --weights %t.weights -o - 2>/dev/null | FileCheck %s --check-prefix=STAGES5PLAN
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a stages=6" 2>&1 | FileCheck %s --check-prefix=STAGESBAD
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a a-load=im2col" 2>&1 | FileCheck %s --check-prefix=ABADLOAD
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a a-load=tma b-load=cp.async" 2>&1 | FileCheck %s --check-prefix=ANEEDSB
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90 a-load=tma" 2>&1 | FileCheck %s --check-prefix=ANEEDSWGMMA
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a b-load=bulk" 2>&1 | FileCheck %s --check-prefix=BADBLOAD
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90 b-load=tma" 2>&1 | FileCheck %s --check-prefix=BLOADSYNC
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=on" 2>/dev/null | FileCheck %s --check-prefix=WS
// RUN: vggq-compile %s --chip sm_90a --warp-specialize on --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=WSPTX
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=yes" 2>&1 | FileCheck %s --check-prefix=WSBAD
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=on a-load=cp.async" 2>&1 | FileCheck %s --check-prefix=WSNEEDSA
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90 warp-specialize=on" 2>&1 | FileCheck %s --check-prefix=WSNEEDSWGMMA
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=on persistent=true" 2>/dev/null | FileCheck %s --check-prefix=PERSIST
// RUN: vggq-compile %s --chip sm_90a --warp-specialize on --persistent --emit plan --weights %t.weights -o - 2>/dev/null | FileCheck %s --check-prefix=PERSISTPLAN
// RUN: not vggq-compile %s --chip sm_90a --persistent --emit ptx -o - 2>&1 | FileCheck %s --check-prefix=PERSISTNEEDSWS
// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=on consumers=2" 2>/dev/null | FileCheck %s --check-prefix=CONS2
// RUN: not vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a warp-specialize=on consumers=3" 2>&1 | FileCheck %s --check-prefix=CONS3
// RUN: not vggq-compile %s --chip sm_90a --consumers 2 --emit ptx -o - 2>&1 | FileCheck %s --check-prefix=CONS2NEEDSWS

// chip=sm_90a selects the wgmma strategy (WgmmaStrategy.cpp): one warpgroup
// per block, m64nBNk32 wgmmas reading both operands from the cp.async ring
// through 64-byte-swizzle K-major descriptors.

// Shared buffers are 1024-byte aligned (every swizzle atom at a 512-byte
// boundary: base offset 0).
// CHECK: gpu.module @vggq_kernels [#nvvm.target<chip = "sm_90a", features = "+ptx84">]
// CHECK-DAG: llvm.mlir.global internal @vggq_conv_features_0_smem() {addr_space = 3 : i32, alignment = 1024 : i64}
// CHECK-DAG: llvm.mlir.global internal @vggq_conv_features_3_smem() {addr_space = 3 : i32, alignment = 1024 : i64}

// The first conv: tile 128 x 64, two 64-row slabs, one K slice (no loop).
// CHECK-LABEL: gpu.func @vggq_conv_features_0(
// CHECK-SAME: vggq.mma = "wgmma.m64nNk32.e4m3"
// CHECK-SAME: vggq.tile = array<i64: 128, 64, 64>
// The copies have landed, each thread fences them into the async proxy, then
// the barrier publishes the slot.
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: nvvm.barrier0
// Descriptor: (address & 0x3FFFF) >> 4 | LBO 1 << 16 | SBO (512 >> 4) << 32
// | 64-byte swizzle (2 << 62) = 0x8000002000010000.
// CHECK: %[[PA:.*]] = llvm.ptrtoint %{{.*}} : !llvm.ptr<3> to i64
// CHECK: arith.andi %[[PA]], %c262143_i64
// CHECK: arith.shrui %{{.*}}, %c4_i64
// CHECK: %[[DA:.*]] = arith.ori %{{.*}}, %c-9223371899415756800_i64
// CHECK: %[[DB:.*]] = arith.ori %{{.*}}, %c-9223371899415756800_i64
// CHECK: nvvm.wgmma.fence.aligned
// K step 0, slab 0 then slab 1 (64 rows x 64 bytes = 4096 bytes = +256).
// The accumulators start as zeros: the first step overwrites (scale-d 0)
// instead of moving zeros into the wgmma registers.
// CHECK: %[[A00:.*]] = arith.addi %[[DA]], %c0_i64
// CHECK: nvvm.wgmma.mma_async %[[A00]], %{{.*}}, %{{.*}}, <m = 64, n = 64, k = 32>, D[<f32>, <zero>], A[<e4m3>, <one>, <row>], B[<e4m3>, <one>, <col>]
// CHECK: %[[A01:.*]] = arith.addi %[[DA]], %c256_i64
// CHECK: nvvm.wgmma.mma_async %[[A01]], {{.*}} D[<f32>, <zero>]
// K step 1: 32 bytes further (+2) in A and B.
// CHECK: %[[B1:.*]] = arith.addi %[[DB]], %c2_i64
// CHECK: %[[A10:.*]] = arith.addi %[[DA]], %c2_i64
// CHECK: nvvm.wgmma.mma_async %[[A10]], %[[B1]], {{.*}} D[<f32>, <one>]
// CHECK: %[[B11:.*]] = arith.addi %[[DB]], %c2_i64
// CHECK: %[[A11:.*]] = arith.addi %[[DA]], %c258_i64
// CHECK: nvvm.wgmma.mma_async %[[A11]], %[[B11]],
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NOT: nvvm.ldmatrix
// CHECK-LABEL: gpu.func @vggq_conv_features_3(
// CHECK-SAME: vggq.mma = "wgmma.m64nNk32.e4m3", vggq.pool_fused
// CHECK-SAME: vggq.tile = array<i64: 64, 128, 64>
// Nine K slices: the rolled loop, one slab of 64 rows, n = 128. Both
// operands come by TMA (the async proxy, as the wgmmas): no proxy fence.
// CHECK: scf.for
// CHECK-NOT: nvvm.fence.proxy
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <one>]
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <one>]
// CHECK-NOT: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-LABEL: gpu.func @vggq_linear_classifier(
// CHECK-SAME: vggq.mma = "wgmma.m64nNk32.e4m3"
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 32, k = 32>

// mma=mma.sync keeps the sm_90 instruction on sm_90a.
// SYNC-LABEL: gpu.func @vggq_conv_features_0(
// SYNC-SAME: vggq.mma = "m16n8k32.e4m3"
// SYNC-NOT: wgmma
// SYNC-NOT: fence.proxy

// The PTX has the wgmma forms, 32 accumulator registers per 64 x 64 slab.
// PTX: .target sm_90a
// PTX: mbarrier.init.shared.b64
// PTX: fence.mbarrier_init.release.cluster;
// PTX: mbarrier.arrive.expect_tx.shared.b64
// PTX: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX: fence.proxy.async.shared::cta;
// PTX: mbarrier.try_wait.parity.shared.b64
// PTX: wgmma.fence.sync.aligned;
// PTX: wgmma.mma_async.sync.aligned.m64n64k32.f32.e4m3.e4m3 {{[{](%r[0-9]+, ){31}%r[0-9]+[}]}}, %rd{{[0-9]+}}, %rd{{[0-9]+}}, p, 1, 1;
// PTX: wgmma.commit_group.sync.aligned;
// PTX: wgmma.wait_group.sync.aligned 0;
// PTX: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3
// PTX: wgmma.mma_async.sync.aligned.m64n32k32.f32.e4m3.e4m3

// FP8 promotion every slice: each slice's wgmmas start from zero (scale-d 0)
// and their sums are added in f32 to the loop-carried accumulators.
// PROMOTE1-LABEL: gpu.func @vggq_conv_features_3(
// PROMOTE1: scf.for
// PROMOTE1: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <zero>]
// PROMOTE1: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <one>]
// PROMOTE1: nvvm.wgmma.wait.group.sync.aligned 0
// PROMOTE1-COUNT-64: arith.addf %arg
// Every 2 slices: the partial registers are carried too (twice as many
// accumulators); when slice % 2 == 1 they are added into the f32
// accumulators and restart from zero.
// PROMOTE2-LABEL: gpu.func @vggq_conv_features_3(
// PROMOTE2: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <one>]
// PROMOTE2: nvvm.wgmma.wait.group.sync.aligned 0
// PROMOTE2: %[[R:.*]] = arith.remui %{{.*}}, %c2_i32{{.*}} : i32
// PROMOTE2: %[[F:.*]] = arith.cmpi eq, %[[R]], %c1_i32{{.*}} : i32
// PROMOTE2: %[[SUM:.*]] = arith.addf %[[MAIN:arg[0-9]+]], %{{.*}} : f32
// PROMOTE2-NEXT: arith.select %[[F]], %[[SUM]], %[[MAIN]] : f32
// PROMOTE2: arith.select %[[F]], %cst{{.*}}, %{{.*}} : f32
// PROMOTESYNC: error: vggq-lower-to-gpu: fp8-promote needs the wgmma strategy (chip sm_90a), but the kernels use mma.sync (chip 'sm_90')
// PROMOTENEG: error: vggq-lower-to-gpu: fp8-promote must be 0 (never) or a positive number of K slices, got -1

// NOTA: error: vggq-lower-to-gpu: mma=wgmma needs chip sm_90a (wgmma is an sm_90a feature), got chip 'sm_90'
// BADMMA: error: vggq-lower-to-gpu: mma must be auto, mma.sync or wgmma, got 'wmma'
// COMPILE89: vggq-compile: --mma=wgmma needs --chip=sm_90a (wgmma is an sm_90a feature), got --chip=sm_89

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.25, 0.25, 0.25>} {
  func.func @forward(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
    %w1 = arith.constant dense<0.5> : tensor<64x3x3x3xf8E4M3FN>
    %b1 = arith.constant dense<0.125> : tensor<64xf32>
    %w2 = arith.constant dense<0.25> : tensor<128x3x3x64xf8E4M3FN>
    %b2 = arith.constant dense<0.125> : tensor<128xf32>
    %lw = arith.constant dense<0.25> : tensor<10x2048xf8E4M3FN>
    %lb = arith.constant dense<1.0> : tensor<10xf32>
    %q = vggq.quantize %x scale [0.0625] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf8E4M3FN>
    %c1 = vggq.qconv2d %q, %w1, %b1 input_scale 0.0625 weight_scales [0.01] output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"} : (tensor<?x8x8x3xf8E4M3FN>, tensor<64x3x3x3xf8E4M3FN>, tensor<64xf32>) -> tensor<?x8x8x64xf8E4M3FN>
    %c2 = vggq.qconv2d %c1, %w2, %b2 input_scale 0.05 weight_scales [0.01] output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.3"} : (tensor<?x8x8x64xf8E4M3FN>, tensor<128x3x3x64xf8E4M3FN>, tensor<128xf32>) -> tensor<?x8x8x128xf8E4M3FN>
    %p = vggq.max_pool2d %c2 kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] {vggq.layer = "features.5"} : tensor<?x8x8x128xf8E4M3FN> -> tensor<?x4x4x128xf8E4M3FN>
    %f = vggq.flatten %p : tensor<?x4x4x128xf8E4M3FN> -> tensor<?x2048xf8E4M3FN>
    %l = vggq.qlinear %f, %lw, %lb input_scale 0.05 weight_scales [0.02] {vggq.layer = "classifier"} : (tensor<?x2048xf8E4M3FN>, tensor<10x2048xf8E4M3FN>, tensor<10xf32>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}

// b-load=auto with wgmma: the weights stay [nPadded][kPadded] rows and the
// kernel takes, instead of their address, a tiled tensor map over them
// (generic !llvm.ptr argument, marked for --vggq-tensor-map-params). With
// a-load=auto the activations of a layer whose tile rows are whole output
// rows or images (stride 1, 64-byte pixel slices) come the same way, a 4D
// map {C, W, H, N} over the NHWC buffer: features.3 (8x8 images, BM = 64:
// one image per tile). Thread 0 loads each slice's A box (64 channels x 8 x
// 8 pixels at column kw - 1, row kh - 1: the taps outside the image are the
// map's zero fill) and B box (64 bytes x BN rows at K element kt * 64, row
// n0) with two cp.async.bulk.tensor that complete on the ring slot's
// mbarrier (4096 + 8192 bytes expected); every thread waits on the slot's
// phase (kt / stages) % 2 before the wgmmas. No thread copies with
// cp.async, so there is no commit group and no proxy fence. The three
// mbarriers sit after the ring: 3 x (64 + 128) x 64 + 3 x 8 bytes. The
// launch records both maps for the runtime to encode (the A map per batch:
// its last dimension is the batch, -1).
// TMA-LABEL: gpu.func @vggq_conv_features_0(
// TMA-SAME: %arg0: !llvm.ptr<1>, %arg1: !llvm.ptr,
// TMA-SAME: vggq.tensor_map_args = array<i64: 1>
// TMA-SAME: vggq.tma = "b"
// TMA: nvvm.cp.async.shared.global
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg1,
// TMA-LABEL: gpu.func @vggq_conv_features_3(
// TMA-SAME: %arg0: !llvm.ptr, %arg1: !llvm.ptr,
// TMA-SAME: vggq.shared_bytes = 36888
// TMA-SAME: vggq.tensor_map_args = array<i64: 0, 1>
// TMA-SAME: vggq.tma = "a,b"
// TMA-NOT: nvvm.cp.async.shared.global
// TMA-NOT: nvvm.cp.async.commit.group
// TMA-NOT: nvvm.fence.proxy
// TMA: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
// TMA: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
// TMA: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
// TMA-NEXT: nvvm.fence.mbarrier.init
// TMA: nvvm.mbarrier.arrive.expect_tx %[[BAR0:.*]], %c12288_i32{{.*}} : !llvm.ptr<3>, i32
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg0, %[[BAR0]], box[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : !llvm.ptr<7>, !llvm.ptr
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg1, %[[BAR0]], box[%{{.*}}, %[[N0:.*]]] : !llvm.ptr<7>, !llvm.ptr
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg0,
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg1, %{{.*}}, box[%{{.*}}, %[[N0]]]
// TMA: nvvm.barrier0
// TMA: nvvm.mbarrier.try_wait.parity %[[BAR0]], %c0_i32{{.*}}, %c0_i32{{.*}} : !llvm.ptr<3>, i32, i32
// TMA: nvvm.wgmma.mma_async
// TMA: scf.for
// TMA: nvvm.barrier0
// TMA: nvvm.cp.async.bulk.tensor.shared.cluster.global
// TMA: nvvm.mbarrier.try_wait.parity
// TMA: nvvm.wgmma.mma_async
// TMA-LABEL: gpu.func @vggq_linear_classifier(
// TMA-SAME: vggq.tma = "a,b"
// TMA-LABEL: func.func @vggq_forward(
// TMA: gpu.launch_func @vggq_kernels::@vggq_conv_features_3 {{.*}} args(%{{.*}} : !llvm.ptr, %{{.*}} : !llvm.ptr, {{.*}}) {vggq.args = [{box = array<i64: 64, 8, 8, 1>, dims = array<i64: 64, 8, 8, -1>, elem_bytes = 1 : i64, kind = "tensor_map", offset_per_image = 0 : i64, strides = array<i64: 64, 512, 4096>, swizzle = 64 : i64}, {box = array<i64: 64, 128>, dims = array<i64: 576, 128>, elem_bytes = 1 : i64, kind = "tensor_map", offset = 4608 : i64, strides = array<i64: 576>, swizzle = 64 : i64}, {kind = "weights",
// TMA: gpu.launch_func @vggq_kernels::@vggq_linear_classifier {{.*}} {vggq.args = [{box = array<i64: 64, 1, 1, 64>, dims = array<i64: 2048, 1, 1, -1>, elem_bytes = 1 : i64, kind = "tensor_map", offset_per_image = 4096 : i64, strides = array<i64: 2048, 2048, 2048>,

// a-load=cp.async keeps the im2col gather of A (B still by TMA).
// ACPASYNC-LABEL: gpu.func @vggq_conv_features_3(
// ACPASYNC-SAME: vggq.tensor_map_args = array<i64: 1>
// ACPASYNC-SAME: vggq.tma = "b"
// ACPASYNC: nvvm.cp.async.shared.global
// ACPASYNC: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg1,
// ACPASYNC: nvvm.fence.proxy
// stages=2: a two-slot ring (one slice in flight, 2 x (64 + 128) x 64
// bytes), smaller than the pooled epilogue's f32 tile (64 rows of 136
// floats, a padded pitch), then two mbarriers (16 bytes).
// STAGES2-LABEL: gpu.func @vggq_conv_features_3(
// STAGES2-SAME: vggq.shared_bytes = 34832
// STAGES2-SAME: vggq.stages = 2
// A ring past the 48 KiB of static shared memory (4 x (128 + 64) x 64 bytes
// + 4 mbarriers = 49184) is the kernel's dynamic shared memory: an
// unsized external array (`.extern .shared`) at the wgmma tiles' 1024-byte
// alignment, and the plan's shared_bytes for the launch; a kernel that
// fits keeps its static array. A stage count outside 2..5 is refused.
// STAGES4-DAG: llvm.mlir.global external @vggq_conv_features_0_dsmem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// STAGES4-DAG: llvm.mlir.global external @vggq_conv_features_3_dsmem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// STAGES4-DAG: llvm.mlir.global internal @vggq_linear_classifier_smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<{{[0-9]+}} x i8>
// STAGES4-LABEL: gpu.func @vggq_conv_features_0(
// STAGES4-SAME: vggq.dynamic_shared_bytes = 49184
// STAGES4-NOT: vggq.shared_bytes
// STAGES4-SAME: vggq.stages = 4
// STAGES4: llvm.mlir.addressof @vggq_conv_features_0_dsmem
// STAGES5PTX: .extern .shared .align 1024 .b8 vggq_conv_features_3_dsmem[];
// STAGES5PTX-LABEL: .entry vggq_conv_features_3(
// STAGES5PTX: mbarrier.init
// STAGES5PLAN-LABEL: "name": "vggq_conv_features_0"
// STAGES5PLAN: "shared_bytes": 61480
// STAGES5PLAN: "stages": 5
// STAGESBAD: error: vggq-lower-to-gpu: stages must be 0 (per layer) or 2 to 5, got 6
// ABADLOAD: error: vggq-lower-to-gpu: a-load must be auto, tma or cp.async, got 'im2col'
// ANEEDSB: error: vggq-lower-to-gpu: a-load=tma needs the weights by TMA too (the wgmma strategy, chip sm_90a, and b-load auto or tma), but b-load is cp.async
// ANEEDSWGMMA: error: vggq-lower-to-gpu: a-load=tma needs the weights by TMA too (the wgmma strategy, chip sm_90a, and b-load auto or tma), but the kernels use mma.sync (chip 'sm_90')

// After serialization the map is a by-value __grid_constant__ parameter,
// read by the TMA through the parameter's address.
// PTXMAP-LABEL: .visible .entry vggq_conv_features_3(
// PTXMAP: .param .align 64 .b8 vggq_conv_features_3_param_1[128],
// PTXMAP: cvta.param.u64 %[[MAP:rd[0-9]+]],
// PTXMAP: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%{{rd[0-9]+}}], [%[[MAP]], {%{{r[0-9]+}}, %{{r[0-9]+}}}], [vggq_conv_features_3_smem+36864];

// b-load=cp.async keeps the 16-byte cp.async copies of B (no mbarrier).
// CPASYNC-LABEL: gpu.func @vggq_conv_features_3(
// CPASYNC-SAME: vggq.shared_bytes = 36864
// CPASYNC-NOT: mbarrier
// CPASYNC-NOT: cp.async.bulk
// CPASYNC: nvvm.wgmma.mma_async
// CPASYNC-NOT: cp.async.bulk

// BADBLOAD: error: vggq-lower-to-gpu: b-load must be auto, tma or cp.async, got 'bulk'
// BLOADSYNC: error: vggq-lower-to-gpu: b-load=tma needs the wgmma strategy (chip sm_90a), but the kernels use mma.sync (chip 'sm_90')

// warp-specialize=on: the kernels with both operands by TMA get a producer
// warpgroup (threads 128..255) beside the consumer one; the first conv (A by
// cp.async) keeps one warpgroup.
// WS-LABEL: gpu.func @vggq_conv_features_0(
// WS-SAME: nvvm.maxntid = array<i32: 128, 1, 1>
// WS-NOT: vggq.warp_specialized
// WS-LABEL: gpu.func @vggq_conv_features_3(
// WS-SAME: nvvm.maxnreg = 128 : i32, nvvm.maxntid = array<i32: 256, 1, 1>
// WS-SAME: vggq.block = array<i64: 256, 1, 1>
// Three full mbarriers (one arrival: the producer's expect_tx) and three
// empty ones (the 128 consumers), after the ring and the epilogue's tile.
// WS-SAME: vggq.shared_bytes = 36912
// WS-SAME: vggq.warp_specialized
// WS: nvvm.mbarrier.init %{{.*}}, %c1_i32
// WS: nvvm.mbarrier.init %{{.*}}, %c1_i32
// WS: nvvm.mbarrier.init %{{.*}}, %c1_i32
// WS: nvvm.mbarrier.init %{{.*}}, %[[C128:c128_i32[_0-9]*]]
// WS: nvvm.mbarrier.init %{{.*}}, %[[C128]]
// WS: nvvm.mbarrier.init %{{.*}}, %[[C128]]
// WS-NEXT: nvvm.fence.mbarrier.init
// WS: nvvm.barrier0
// The producer: one thread waits for each slot to be empty, then expects
// its bytes and issues both boxes.
// WS: arith.cmpi uge, %[[TID:[0-9]+]], %c128
// WS: nvvm.setmaxregister  decrease 40
// WS: arith.cmpi eq, %[[TID]], %c128
// WS: scf.for
// WS: nvvm.mbarrier.try_wait.parity
// WS: nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c12288_i32
// WS: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg0,
// WS: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %arg1,
// The consumers: no block barrier in the K loop; each slice waits for its
// full mbarrier and gives the slot back on its empty one once the wgmmas
// have read it. The epilogue synchronizes the 128 consumers only.
// WS: arith.cmpi ult, %[[TID]], %c128
// WS: nvvm.setmaxregister  increase 216
// WS-NOT: nvvm.barrier0
// WS: nvvm.mbarrier.try_wait.parity
// WS: nvvm.wgmma.mma_async
// WS: nvvm.wgmma.wait.group.sync.aligned 0
// WS-NOT: nvvm.wgmma.mma_async
// WS: nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// WS: scf.for
// WS-NOT: nvvm.barrier0
// WS: nvvm.mbarrier.try_wait.parity
// WS: nvvm.wgmma.mma_async
// WS: nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
// WS-NOT: nvvm.barrier0
// WS: nvvm.barrier id = %c1_i32{{.*}} number_of_threads = %c128_i32
// WS-LABEL: func.func @vggq_forward(
// WS: gpu.launch_func @vggq_kernels::@vggq_conv_features_0 {{.*}} threads in (%c128
// WS: gpu.launch_func @vggq_kernels::@vggq_conv_features_3 {{.*}} threads in (%c256
// WSPTX-LABEL: .visible .entry vggq_conv_features_3(
// WSPTX: .maxntid 256, 1, 1
// WSPTX: .maxnreg 128
// WSPTX: setmaxnreg.dec.sync.aligned.u32 40;
// WSPTX: setmaxnreg.inc.sync.aligned.u32 216;
// WSPTX: bar.sync 1, 128;
// WSBAD: error: vggq-lower-to-gpu: warp-specialize must be auto, on or off, got 'yes'
// WSNEEDSA: error: vggq-lower-to-gpu: warp-specialize=on needs both operands by TMA (the wgmma strategy, chip sm_90a, b-load and a-load auto or tma), but a-load is cp.async
// WSNEEDSWGMMA: error: vggq-lower-to-gpu: warp-specialize=on needs both operands by TMA (the wgmma strategy, chip sm_90a, b-load and a-load auto or tma), but the kernels use mma.sync (chip 'sm_90')

// persistent=true (with warp-specialize=on): the producer and the consumers
// each loop over the block's tiles, first = ctaid.y * nctaid.x + ctaid.x, step
// nctaid.x * nctaid.y, carrying the count of slices before the tile, which
// names the ring slot and phase (the mbarriers are initialized once). The
// epilogue stages after the ring: 3 x 192 x 64 bytes + the pooled f32 tile
// (64 x 136 x 4) + 6 mbarriers = 71,728 bytes, dynamic shared memory. The
// kernel records the blocks an SM holds (2: 128 registers x 256 threads),
// and the plan's grid tells the runtime to launch min(tiles, SMs x 2).
// PERSIST-LABEL: gpu.func @vggq_conv_features_3(
// PERSIST-SAME: vggq.dynamic_shared_bytes = 71728
// PERSIST-SAME: vggq.persistent = 2
// PERSIST: nvvm.mbarrier.init
// PERSIST: nvvm.setmaxregister decrease 40
// PERSIST: nvvm.read.ptx.sreg.nctaid.x
// PERSIST: %[[PTILES:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[PG:.*]] = %c0_i32{{.*}}) -> (i32)
// PERSIST: scf.for %[[PKT:.*]] = %c0_i32{{.*}} to %c9_i32
// PERSIST: arith.addi %[[PG]], %[[PKT]]
// PERSIST: nvvm.mbarrier.try_wait.parity
// PERSIST: nvvm.cp.async.bulk.tensor.shared.cluster.global
// PERSIST: arith.addi %[[PG]], %c9_i32
// PERSIST: nvvm.setmaxregister increase 216
// PERSIST: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[CG:.*]] = %c0_i32{{.*}}) -> (i32)
// PERSIST: nvvm.mbarrier.try_wait.parity
// PERSIST: nvvm.wgmma.mma_async
// PERSIST: nvvm.mbarrier.arrive
// PERSIST: nvvm.barrier id = %{{.*}} number_of_threads = %{{.*}}
// PERSIST: arith.addi %[[CG]], %c9_i32
// PERSIST: gpu.return
// PERSISTPLAN: "name": "vggq_conv_features_3",
// PERSISTPLAN-NEXT: "pool_fused": true,
// PERSISTPLAN-NEXT: "shared_bytes": 71728,
// PERSISTPLAN: "persistent": 2,
// PERSISTPLAN-NEXT: "rows_per_image": 64,
// PERSISTPLAN-NEXT: "tile_rows": 64,
// PERSISTPLAN-NEXT: "y": 1,
// PERSISTPLAN-NEXT: "z": 1
// PERSISTPLAN-NEXT: },
// PERSISTPLAN-NEXT: "kernel": "vggq_conv_features_3",
// PERSISTPLAN: "kernel": "vggq_linear_classifier",
// PERSISTNEEDSWS: error: vggq-lower-to-gpu: persistent needs warp-specialize=on (its producer warpgroup runs ahead into the next tile), got warp-specialize=auto

// consumers=2 (with warp-specialize=on): 128-row tiles (features.3: 128 x
// 128 instead of 64 x 128), 384 threads (.maxnreg 168, setmaxnreg 40 / 232);
// each consumer warpgroup (tid / 128) multiplies its 64-row half of the A
// tile, 64 x 64 bytes further on, by the whole B tile; all 256 consumers
// free a slot (empty mbarriers of count 256) and run the epilogue behind
// `bar.sync 1, 256`; one slice's copies are (128 + 128) x 64 bytes.
// CONS2-LABEL: gpu.func @vggq_conv_features_3(
// CONS2-SAME: nvvm.maxnreg = 168
// CONS2-SAME: vggq.block = array<i64: 384, 1, 1>
// CONS2-SAME: vggq.tile = array<i64: 128, 128, 64>
// CONS2: %[[WG:.*]] = arith.divui %{{.*}}, %c128_i32
// CONS2: %[[WGROW:.*]] = arith.muli %[[WG]], %c64_i32
// CONS2: nvvm.mbarrier.init %{{.*}}, %c256_i32
// CONS2: nvvm.setmaxregister decrease 40
// CONS2: nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c16384_i32
// CONS2: nvvm.setmaxregister increase 232
// CONS2: arith.muli %[[WGROW]], %c64_i32
// CONS2: nvvm.wgmma.mma_async
// CONS2: nvvm.barrier id = %c1_i32{{.*}} number_of_threads = %c256_i32
// CONS2: gpu.return
// CONS3: error: vggq-lower-to-gpu: consumers must be 1 or 2, got 3
// CONS2NEEDSWS: error: vggq-lower-to-gpu: consumers=2 needs warp-specialize=on (the two consumer warpgroups share a producer), got warp-specialize=auto
