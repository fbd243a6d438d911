# -*- Python -*-
# Runs every GoogleTest binary named *Tests in this folder of the build tree.
import os
import lit.formats

config.name = "VGGQ-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.vggq_obj_root, "test", "Unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.excludes = ["VGGQLongTests"]
for var in ("VGGQ_SHARED", "VGGQ_REQUIRE_SHARED", "HOME", "TMP", "TEMP", "OPENBLAS_NUM_THREADS",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
if "VGGQ_SHARED" not in config.environment:
    config.environment["VGGQ_SHARED"] = config.vggq_shared_dir
