#!/usr/bin/env bash
# barrier-ablation.sh: proves that the PTX emulator's checkers (race checker
# and adversarial scheduler, VGGQ_EMU_CHECK) catch every missing barrier in
# compiled kernels. For each precision, the model is compiled once; then each
# `bar.sync` line of its PTX is deleted on its own, the PTX re-run on the
# emulator (vggq-run-cuda PLAN --kernels PTX --compare-ref REF), and the
# deletion counts as caught if the run fails: a race fault, any other
# emulator fault, or a layer out of tolerance. A deletion that passes is
# accepted only if the barrier is provably redundant (nothing after it in its
# kernel touches shared memory or branches back before it).
#
# usage: barrier-ablation.sh [--bin DIR] --emu LIBVGGQ_CUDA_EMU.so --model M
#          --data TEST.bin --calibration CAL.bin [--precisions "int8 fp8e4m3"]
#          [--images N] [--max N] [--work DIR] [--check race,sched]
#   --bin     folder with vggq-compile, vggq-run, vggq-run-cuda (default:
#             found on PATH)
#   --model   .mlir / .mlirbc (vggq-import's output, or a small test model)
#   --max     try at most N deletions per precision, spread over the PTX
#             (default: all)
#   --check   VGGQ_EMU_CHECK for the runs (default race,sched)
# Prints one line per deletion and a summary "TOTAL: caught C of T"; exits 1
# if a deletion was not caught or the unmodified PTX does not pass.
set -u

bin= emu= model= data= cal= work= max=0 images=2 check=race,sched
precisions="int8 fp8e4m3 fp8e5m2"
while [ $# -gt 0 ]; do
  case "$1" in
  --bin) bin=$2; shift 2 ;;
  --emu) emu=$2; shift 2 ;;
  --model) model=$2; shift 2 ;;
  --data) data=$2; shift 2 ;;
  --calibration) cal=$2; shift 2 ;;
  --precisions) precisions=$2; shift 2 ;;
  --images) images=$2; shift 2 ;;
  --max) max=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --check) check=$2; shift 2 ;;
  *) echo "barrier-ablation.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for v in emu model data cal; do
  if [ -z "${!v}" ]; then
    echo "barrier-ablation.sh: --$v is required" >&2
    exit 2
  fi
done
for t in vggq-compile vggq-run vggq-run-cuda; do
  if [ -n "$bin" ]; then
    path=$bin/$t
  else
    path=$(command -v "$t") || path=
  fi
  if [ ! -x "$path" ]; then
    echo "barrier-ablation.sh: $t not found (--bin DIR or PATH)" >&2
    exit 2
  fi
  declare "tool_${t//-/_}=$path"
done
[ -n "$work" ] || work=$(mktemp -d)
mkdir -p "$work"
export VGGQ_LIBCUDA=$emu VGGQ_EMU_CHECK=$check

# redundant PTX LINE: whether nothing after the barrier at LINE (to the end
# of its kernel) can touch shared memory (no .shared access, ldmatrix,
# cp.async, generic ld/st) or jump back before it (a branch to a label
# defined earlier in the kernel): then deleting it is correct.
redundant() {
  awk -v line="$2" '
    /^\.visible \.entry/ { start = NR; delete labels }
    NR < line && NR > start && /^\$?[A-Za-z0-9_$]+:/ { sub(/:.*/, ""); labels[$0] = 1 }
    NR > line {
      if (/^}/) exit(bad ? 1 : 0)
      if (/shared|ldmatrix|cp\.async/) bad = 1
      if (/^[ \t]*(@%?!?[a-z0-9]+[ \t]+)?(ld|st)\.(b|u|s|f|v)[0-9]/) bad = 1
      if (/bra/) { t = $NF; sub(/;$/, "", t); if (t in labels) bad = 1 }
    }
    END { exit(bad ? 1 : 0) }' "$1"
}

total=0 caught=0 redundantn=0 byrace=0 byfault=0 bylayer=0 status=0
for p in $precisions; do
  base=$work/m_$p
  if ! env VGGQ_PTXAS= "$tool_vggq_compile" "$model" --precision "$p" \
      --calibration-data "$cal" --calibration-samples 32 -o "$base.so" \
      >"$base.compile.log" 2>&1; then
    echo "$p: vggq-compile failed (see $base.compile.log)"
    status=1
    continue
  fi
  "$tool_vggq_run" "$base.vggq.mlirbc" --data "$data" --limit "$images" \
    --dump-layers "$base.ref" >"$base.ref.log" 2>&1 || {
    echo "$p: the CPU reference dump failed (see $base.ref.log)"
    status=1
    continue
  }
  run() { # PTX LOG
    "$tool_vggq_run_cuda" "$base.plan.json" --kernels "$1" \
      --weights "$base.weights" --compare-ref "$base.ref" --no-progress \
      >"$2" 2>&1
  }
  if ! run "$base.ptx" "$base.baseline.log"; then
    echo "$p: the unmodified PTX fails (see $base.baseline.log)"
    status=1
    continue
  fi
  mapfile -t lines < <(grep -n 'bar\.sync\|barrier\.sync' "$base.ptx" | cut -d: -f1)
  n=${#lines[@]}
  pick=("${lines[@]}")
  if [ "$max" -gt 0 ] && [ "$n" -gt "$max" ]; then
    pick=()
    for ((i = 0; i < max; ++i)); do
      pick+=("${lines[$((i * n / max))]}")
    done
  fi
  pc=0 pt=0 pr=0
  for l in "${pick[@]}"; do
    kernel=$(head -n "$l" "$base.ptx" | grep '^\.visible \.entry' | tail -1 |
      sed 's/^\.visible \.entry \([A-Za-z0-9_]*\).*/\1/')
    sed "${l}d" "$base.ptx" >"$work/del.ptx"
    log=$work/del_${p}_$l.log
    pt=$((pt + 1))
    total=$((total + 1))
    if run "$work/del.ptx" "$log"; then
      if redundant "$base.ptx" "$l"; then
        echo "$p: line $l ($kernel): passes, and is redundant: no shared-memory access and no backward branch follow it in the kernel"
        redundantn=$((redundantn + 1))
        pr=$((pr + 1))
        rm -f "$log"
      else
        echo "$p: line $l ($kernel): NOT CAUGHT (see $log)"
        status=1
      fi
      continue
    fi
    pc=$((pc + 1))
    caught=$((caught + 1))
    if grep -q 'race' "$log"; then
      how="race fault: $(grep -o 'shared-memory race ([a-z ]*)\|global-memory race' "$log" | head -1)"
      byrace=$((byrace + 1))
    elif grep -q '^vggq-emu:' "$log"; then
      how="emulator fault: $(grep '^vggq-emu:' "$log" | head -1 | sed 's/.*`: //' | cut -c1-80)"
      byfault=$((byfault + 1))
    elif grep -qE '^ +[0-9]+ +[A-Za-z0-9_.]+ +[a-z0-9]+ +FAIL' "$log"; then
      how="wrong result: $(grep -E '^ +[0-9]+ +[A-Za-z0-9_.]+ +[a-z0-9]+ +FAIL' "$log" | head -1 | awk '{print $2}')"
      bylayer=$((bylayer + 1))
    else
      # Neither a fault nor a failing layer (a tool that could not run?).
      echo "$p: line $l ($kernel): the run failed without a fault or a failing layer (see $log)"
      pc=$((pc - 1))
      caught=$((caught - 1))
      status=1
      continue
    fi
    echo "$p: line $l ($kernel): caught, $how"
    rm -f "$log"
  done
  echo "$p: caught $pc of $((pt - pr)) deletions, $pr redundant barriers ($n bar.sync in the PTX)"
done
echo "TOTAL: caught $caught of $((total - redundantn)) deletions (race faults $byrace, other faults $byfault, wrong layers $bylayer); $redundantn redundant barriers passed; VGGQ_EMU_CHECK=$check"
[ "$total" -gt 0 ] || status=1
exit $status
