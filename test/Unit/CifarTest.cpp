//===- CifarTest.cpp - the CIFAR-10 reader --------------------------------===//
//
// Small generated files in the CIFAR-10 binary format: a good file, --limit,
// a truncated file, an empty file, a bad label, and the NHWC normalization.
//
//===----------------------------------------------------------------------===//

#include "vggq/Data/Cifar.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace vggq;

namespace {

/// A temporary file holding `bytes`, removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::vector<uint8_t> &bytes) {
    llvm::SmallString<128> p;
    int fd;
    EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("cifar", "bin", fd, p));
    path = p.str().str();
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  }
  ~TempFile() { llvm::sys::fs::remove(path); }
};

/// `n` records: label i % 10, pixel (c, p) = (i + c * 7 + p) % 256.
std::vector<uint8_t> records(int n) {
  std::vector<uint8_t> b;
  for (int i = 0; i < n; ++i) {
    b.push_back(i % 10);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p)
        b.push_back((i + c * 7 + p) % 256);
  }
  return b;
}

TEST(CifarTest, LoadsRecordsAndLimit) {
  TempFile f(records(12));
  auto all = loadCifar(f.path);
  ASSERT_TRUE(bool(all)) << llvm::toString(all.takeError());
  EXPECT_EQ(all->count, 12);
  EXPECT_EQ(all->labels[11], 1);
  EXPECT_EQ(all->pixels[5 * 3072 + 1024 + 3], (5 + 7 + 3) % 256);
  auto some = loadCifar(f.path, 4);
  ASSERT_TRUE(bool(some)) << llvm::toString(some.takeError());
  EXPECT_EQ(some->count, 4);
  EXPECT_EQ(some->pixels.size(), 4u * 3072);
}

TEST(CifarTest, TruncatedFileNamesFileAndSize) {
  std::vector<uint8_t> b = records(3);
  b.resize(b.size() - 100);
  TempFile f(b);
  auto set = loadCifar(f.path);
  ASSERT_FALSE(set);
  std::string msg = llvm::toString(set.takeError());
  EXPECT_NE(msg.find(f.path), std::string::npos) << msg;
  EXPECT_NE(msg.find("9119 bytes"), std::string::npos) << msg;
}

TEST(CifarTest, EmptyAndMissingFiles) {
  TempFile f({});
  auto empty = loadCifar(f.path);
  ASSERT_FALSE(empty);
  EXPECT_NE(llvm::toString(empty.takeError()).find("empty"), std::string::npos);
  auto missing = loadCifar(f.path + ".does-not-exist");
  ASSERT_FALSE(missing);
  EXPECT_NE(llvm::toString(missing.takeError()).find("cannot read"),
            std::string::npos);
}

TEST(CifarTest, BadLabelNamesRecord) {
  std::vector<uint8_t> b = records(5);
  b[3 * 3073] = 10;
  TempFile f(b);
  auto set = loadCifar(f.path);
  ASSERT_FALSE(set);
  std::string msg = llvm::toString(set.takeError());
  EXPECT_NE(msg.find("record 3 has label 10"), std::string::npos) << msg;
  // Records before the bad one are fine with --limit.
  EXPECT_TRUE(bool(loadCifar(f.path, 3)));
}

TEST(CifarTest, NormalizeToNHWC) {
  TempFile f(records(2));
  auto set = loadCifar(f.path);
  ASSERT_TRUE(bool(set)) << llvm::toString(set.takeError());
  std::vector<float> out(3072);
  const float mean[] = {0.5f, 0.25f, 0.0f}, stdv[] = {0.5f, 0.25f, 2.0f};
  normalizeCifar(*set, 1, 1, mean, stdv, out.data());
  for (int p : {0, 33, 1023})
    for (int c = 0; c < 3; ++c) {
      float pix = float((1 + c * 7 + p) % 256);
      EXPECT_EQ(out[p * 3 + c], (pix / 255.0f - mean[c]) / stdv[c]);
    }
}

TEST(CifarTest, SharedDirFromEnvironment) {
  setenv("VGGQ_SHARED", "/some/where", 1);
  EXPECT_EQ(sharedDir(), "/some/where");
  unsetenv("VGGQ_SHARED");
  EXPECT_FALSE(sharedDir().empty());
}

} // namespace
