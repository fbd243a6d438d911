// RUN: vggq-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(gpu.module(vggq-tensor-map-params))' | FileCheck %s

// The marked arguments of an NVVM kernel become by-value __grid_constant__
// CUtensorMap parameters (128 bytes, 64-byte aligned); the marker is gone
// and the other arguments are untouched.
// CHECK-LABEL: llvm.func @k(
// CHECK-SAME: %arg0: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<16 x i64>, nvvm.grid_constant},
// CHECK-SAME: %arg1: !llvm.ptr<1>,
// CHECK-SAME: %arg2: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<16 x i64>, nvvm.grid_constant})
// CHECK-NOT: vggq.tensor_map_args
// CHECK-LABEL: llvm.func @unmarked(
// CHECK-SAME: %arg0: !llvm.ptr)
module attributes {gpu.container_module} {
  gpu.module @m {
    llvm.func @k(%a: !llvm.ptr, %b: !llvm.ptr<1>, %c: !llvm.ptr) attributes {nvvm.kernel, vggq.tensor_map_args = array<i64: 0, 2>} {
      llvm.return
    }
    llvm.func @unmarked(%a: !llvm.ptr) attributes {nvvm.kernel} {
      llvm.return
    }
  }
}

// -----

// A marked argument that is not a pointer cannot hold a tensor map.
module attributes {gpu.container_module} {
  gpu.module @m {
    // expected-error @+1 {{vggq-tensor-map-params: argument 1 of 'k' cannot be a tensor map (not a pointer argument of a kernel)}}
    llvm.func @k(%a: !llvm.ptr, %n: i32) attributes {nvvm.kernel, vggq.tensor_map_args = array<i64: 1>} {
      llvm.return
    }
  }
}

// -----

// Nor can an argument that does not exist, or one of a function that is
// not a kernel.
module attributes {gpu.container_module} {
  gpu.module @m {
    // expected-error @+1 {{vggq-tensor-map-params: argument 3 of 'k' cannot be a tensor map (not a pointer argument of a kernel)}}
    llvm.func @k(%a: !llvm.ptr) attributes {nvvm.kernel, vggq.tensor_map_args = array<i64: 3>} {
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @m {
    // expected-error @+1 {{vggq-tensor-map-params: argument 0 of 'f' cannot be a tensor map (not a pointer argument of a kernel)}}
    llvm.func @f(%a: !llvm.ptr) attributes {vggq.tensor_map_args = array<i64: 0>} {
      llvm.return
    }
  }
}
