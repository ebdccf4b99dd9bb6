#include "os/proc_identity.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::TempDir;
using semguard_test::WriteFileBytes;

// Fields 3 to 22 of /proc/PID/stat after "PID (COMM) ": state S, ppid 1, pgrp 123,
// session 124, ..., starttime 98765, followed by the fields Linux adds after it.
constexpr char kFieldsAfterComm[] =
    "S 1 123 124 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 98765 10000000 200 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n";

TEST(ParseProcStatTest, CommandNameWithSpacesAndParentheses) {
  ProcStat st;
  Status parsed = ParseProcStat(std::string("123 (a) b) c) ") + kFieldsAfterComm, &st);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 1);
  EXPECT_EQ(st.session, 124);
  EXPECT_EQ(st.start_time, 98765u);
}

TEST(ParseProcStatTest, CommandNameThatLooksLikeFields) {
  ProcStat st;
  Status parsed = ParseProcStat(std::string("9 (x) R 7 7 7 0 ) ") + kFieldsAfterComm, &st);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(st.ppid, 1);
  EXPECT_EQ(st.start_time, 98765u);
}

TEST(ParseProcStatTest, RefusesLineWithoutClosingParenthesis) {
  ProcStat st;
  Status parsed = ParseProcStat("123 (httpd S 1 123 124", &st);
  EXPECT_EQ(parsed.code(), Status::Code::kCorrupt);
  EXPECT_NE(parsed.message().find("')'"), std::string::npos) << parsed.message();
}

TEST(ParseProcStatTest, RefusesLineWithTooFewFields) {
  ProcStat st;
  Status parsed =
      ParseProcStat("123 (httpd) S 1 123 124 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0\n", &st);
  EXPECT_EQ(parsed.code(), Status::Code::kCorrupt);
  EXPECT_NE(parsed.message().find("fields"), std::string::npos) << parsed.message();
}

TEST(ParseProcStatTest, RefusesNonNumericFields) {
  const std::string prefix = "123 (httpd) ";
  for (const std::string& fields :
       {std::string("S x 123 124 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 98765 1\n"),
        std::string("S 1 123 1e4 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 98765 1\n"),
        std::string("S 1 123 124 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 -98765 1\n")}) {
    ProcStat st;
    Status parsed = ParseProcStat(prefix + fields, &st);
    EXPECT_EQ(parsed.code(), Status::Code::kCorrupt) << fields;
  }
}

TEST(ParseProcStatTest, RefusedLineLeavesOutputUntouched) {
  ProcStat st;
  st.ppid = 4242;
  EXPECT_FALSE(ParseProcStat("", &st).ok());
  EXPECT_EQ(st.ppid, 4242);
}

TEST(ReadProcessIdentityTest, ThisProcess) {
  ProcessIdentity id;
  Status st = ReadProcessIdentity(getpid(), &id);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(id.pid, getpid());
  EXPECT_GT(id.start_time, 0u);
  EXPECT_GT(id.pid_ns, 0u);
  struct stat ns {};
  ASSERT_EQ(stat("/proc/self/ns/pid", &ns), 0);
  EXPECT_EQ(id.pid_ns, static_cast<uint64_t>(ns.st_ino));
  EXPECT_EQ(id.boot_id.size(), 36u) << id.boot_id;
  EXPECT_EQ(id.boot_id, ReadBootId());
}

TEST(ReadProcessIdentityTest, ParentIsTheProcessThatForkedUs) {
  ProcStat st;
  ASSERT_TRUE(ReadProcStat(getpid(), &st).ok());
  EXPECT_EQ(st.ppid, getppid());
  EXPECT_EQ(st.session, getsid(0));
}

TEST(ReadProcessIdentityTest, ReapedChildIsNotFound) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  ProcessIdentity id;
  Status st = ReadProcessIdentity(child, &id);
  EXPECT_EQ(st.code(), Status::Code::kNotFound) << st.message();
}

// A hand-made /proc tree: the identity comes from the given root, not from the real /proc.
class FakeProcRootTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mkdir(dir_.File("321").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(dir_.File("321/ns").c_str(), 0755), 0);
    ASSERT_EQ(symlink("pid:[4026531836]", dir_.File("321/ns/pid").c_str()), 0);
  }
  TempDir dir_;
};

TEST_F(FakeProcRootTest, ReadsEveryPartFromTheRoot) {
  ASSERT_TRUE(
      WriteFileBytes(dir_.File("321/stat"), std::string("321 (httpd) ") + kFieldsAfterComm));
  ASSERT_TRUE(std::filesystem::create_directories(dir_.File("sys/kernel/random")));
  ASSERT_TRUE(WriteFileBytes(dir_.File("sys/kernel/random/boot_id"),
                             "0b9e7a52-5c8b-4f2e-9d3a-1f2e3d4c5b6a\n"));
  ProcessIdentity id;
  Status st = ReadProcessIdentity(321, &id, dir_.path());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(id.pid, 321);
  EXPECT_EQ(id.start_time, 98765u);
  EXPECT_EQ(id.pid_ns, 4026531836u);
  EXPECT_EQ(id.boot_id, "0b9e7a52-5c8b-4f2e-9d3a-1f2e3d4c5b6a");
}

TEST_F(FakeProcRootTest, MissingBootIdIsUnknown) {
  ASSERT_TRUE(
      WriteFileBytes(dir_.File("321/stat"), std::string("321 (httpd) ") + kFieldsAfterComm));
  ProcessIdentity id;
  ASSERT_TRUE(ReadProcessIdentity(321, &id, dir_.path()).ok());
  EXPECT_EQ(id.boot_id, "unknown");
}

TEST_F(FakeProcRootTest, MalformedStatIsCorruptAndNamesTheFile) {
  ASSERT_TRUE(WriteFileBytes(dir_.File("321/stat"), "321 (httpd S 1\n"));
  ProcessIdentity id;
  Status st = ReadProcessIdentity(321, &id, dir_.path());
  EXPECT_EQ(st.code(), Status::Code::kCorrupt);
  EXPECT_NE(st.message().find(dir_.File("321/stat")), std::string::npos) << st.message();
}

}  // namespace
}  // namespace semguard
