#include "config/settings.h"

#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "os/file_system.h"
#include "support/test_files.h"

namespace semguard {
namespace {

testing::AssertionResult MessageHas(const Status& st, const std::string& needle) {
  if (st.message().find(needle) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "message \"" << st.message() << "\" lacks \"" << needle << "\"";
}

TEST(ParseSemGuardTest, AcceptsOnAndOffInAnyCase) {
  bool enabled = false;
  ASSERT_TRUE(ParseSemGuard("On", &enabled).ok());
  EXPECT_TRUE(enabled);
  ASSERT_TRUE(ParseSemGuard("off", &enabled).ok());
  EXPECT_FALSE(enabled);
  ASSERT_TRUE(ParseSemGuard("ON", &enabled).ok());
  EXPECT_TRUE(enabled);
  ASSERT_TRUE(ParseSemGuard("oFF", &enabled).ok());
  EXPECT_FALSE(enabled);
}

TEST(ParseSemGuardTest, RefusesOtherWordsNamingDirectiveValueAndChoices) {
  for (const char* value : {"yes", "", "On ", "1", "Onn"}) {
    bool enabled = true;
    Status st = ParseSemGuard(value, &enabled);
    EXPECT_EQ(st.code(), Status::Code::kInvalid) << "'" << value << "'";
    EXPECT_TRUE(MessageHas(st, "SemGuard"));
    EXPECT_TRUE(MessageHas(st, std::string("'") + value + "'"));
    EXPECT_TRUE(MessageHas(st, "On or Off"));
    EXPECT_TRUE(enabled) << "a refused value changed the setting";
  }
}

TEST(ParseSemGuardTest, ShowsControlCharactersAsQuestionMarks) {
  bool enabled = true;
  Status st = ParseSemGuard("O\nn", &enabled);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "'O?n'"));
}

TEST(ParseLedgerPathTest, AcceptsAFileName) {
  EXPECT_TRUE(ParseLedgerPath("/var/lib/apache2/semguard.ledger").ok());
  EXPECT_TRUE(ParseLedgerPath("state/semguard.ledger").ok());
}

TEST(ParseLedgerPathTest, RefusesEmptyPath) {
  Status st = ParseLedgerPath("");
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "SemGuardLedger"));
  EXPECT_TRUE(MessageHas(st, "empty"));
}

TEST(ParseLedgerPathTest, RefusesDirectoryPath) {
  Status st = ParseLedgerPath("/var/lib/apache2/");
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "'/var/lib/apache2/'"));
  EXPECT_TRUE(MessageHas(st, "directory"));
}

TEST(ParseLedgerPathTest, RefusesNamesNotEndingInDotLedger) {
  for (const char* path :
       {"/var/lib/apache2/semguard", "/tmp/x.ledger.bak", ".ledger", "/tmp/x.LEDGER"}) {
    Status st = ParseLedgerPath(path);
    EXPECT_EQ(st.code(), Status::Code::kInvalid) << path;
    EXPECT_TRUE(MessageHas(st, "must end in .ledger"));
  }
}

TEST(ParseLedgerPathTest, RefusesControlCharacters) {
  for (const std::string& path : {std::string("/tmp/a\nb.ledger"), std::string("/tmp/a\rb.ledger"),
                                  std::string("/tmp/a\0b.ledger", 15)}) {
    Status st = ParseLedgerPath(path);
    EXPECT_EQ(st.code(), Status::Code::kInvalid);
    EXPECT_TRUE(MessageHas(st, "control character"));
  }
}

TEST(ParseLedgerPathTest, RefusesOverlongPath) {
  EXPECT_TRUE(ParseLedgerPath("/" + std::string(2992, 'a') + ".ledger").ok());  // 3000 bytes
  Status st = ParseLedgerPath("/" + std::string(2993, 'a') + ".ledger");
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "longer than 3000"));
}

TEST(ParseKeywordTest, ReturnsTheIndexOfTheChoiceIgnoringCase) {
  size_t index = 99;
  ASSERT_TRUE(ParseKeyword("SemGuardMode", "WARN", {"Off", "Warn", "Remove"}, &index).ok());
  EXPECT_EQ(index, 1u);
  ASSERT_TRUE(ParseKeyword("SemGuardMode", "remove", {"Off", "Warn", "Remove"}, &index).ok());
  EXPECT_EQ(index, 2u);
}

TEST(ParseKeywordTest, ListsThreeChoicesAsAListEndingInOr) {
  size_t index = 99;
  Status st = ParseKeyword("SemGuardMode", "maybe", {"Off", "Warn", "Remove"}, &index);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_EQ(st.message(), "SemGuardMode: 'maybe' is not valid; use Off, Warn or Remove");
  EXPECT_EQ(index, 99u);
}

TEST(ParseKeywordTest, RefusesPrefixOfAChoice) {
  size_t index = 99;
  EXPECT_FALSE(ParseKeyword("SemGuardMode", "War", {"Off", "Warn", "Remove"}, &index).ok());
}

TEST(ParseCleanupModeTest, MapsEachKeyword) {
  CleanupMode mode = CleanupMode::kOff;
  ASSERT_TRUE(ParseCleanupMode("on", &mode).ok());
  EXPECT_EQ(mode, CleanupMode::kOn);
  ASSERT_TRUE(ParseCleanupMode("Report", &mode).ok());
  EXPECT_EQ(mode, CleanupMode::kReport);
  ASSERT_TRUE(ParseCleanupMode("OFF", &mode).ok());
  EXPECT_EQ(mode, CleanupMode::kOff);
  Status st = ParseCleanupMode("Remove", &mode);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "SemGuardCleanup: 'Remove' is not valid; use On, Report or Off"));
  EXPECT_EQ(mode, CleanupMode::kOff);
}

TEST(ParseAdoptModeTest, MapsEachKeyword) {
  AdoptMode mode = AdoptMode::kReport;
  ASSERT_TRUE(ParseAdoptMode("off", &mode).ok());
  EXPECT_EQ(mode, AdoptMode::kOff);
  ASSERT_TRUE(ParseAdoptMode("REPORT", &mode).ok());
  EXPECT_EQ(mode, AdoptMode::kReport);
  ASSERT_TRUE(ParseAdoptMode("auto", &mode).ok());
  EXPECT_EQ(mode, AdoptMode::kAuto);
  ASSERT_TRUE(ParseAdoptMode("Remove", &mode).ok());
  EXPECT_EQ(mode, AdoptMode::kRemove);
  Status st = ParseAdoptMode("On", &mode);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(MessageHas(st, "SemGuardAdopt: 'On' is not valid; use Off, Report, Remove or Auto"));
  EXPECT_EQ(mode, AdoptMode::kRemove);
}

TEST(ApplyDirectiveTest, EachDirectiveByNameWithItsDefaultsUntilGiven) {
  Settings s;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.cleanup, CleanupMode::kOn);
  EXPECT_EQ(s.adopt, AdoptMode::kAuto);
  EXPECT_EQ(s.ledger_path, "");
  ASSERT_TRUE(ApplyDirective("SemGuard", "off", "/srv", &s).ok());
  ASSERT_TRUE(ApplyDirective("SemGuardCleanup", "Report", "/srv", &s).ok());
  ASSERT_TRUE(ApplyDirective("SemGuardAdopt", "Remove", "/srv", &s).ok());
  ASSERT_TRUE(ApplyDirective("SemGuardLedger", "run/./a.ledger", "/srv/", &s).ok());
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.cleanup, CleanupMode::kReport);
  EXPECT_EQ(s.adopt, AdoptMode::kRemove);
  EXPECT_EQ(s.ledger_path, "/srv/run/a.ledger");
  ASSERT_TRUE(ApplyDirective("SemGuardLedger", "/var/x.ledger", "/srv", &s).ok());
  EXPECT_EQ(s.ledger_path, "/var/x.ledger");
}

TEST(ApplyDirectiveTest, BadValuesAndUnknownNamesKeepTheSettings) {
  Settings s;
  Status st = ApplyDirective("SemGuardLedger", "run/", "/srv", &s);
  EXPECT_TRUE(MessageHas(st, "SemGuardLedger: 'run/' names a directory; give a file name"));
  EXPECT_EQ(s.ledger_path, "");
  EXPECT_EQ(ApplyDirective("SemGuardAdopt", "On", "/srv", &s).code(), Status::Code::kInvalid);
  EXPECT_EQ(s.adopt, AdoptMode::kAuto);
  EXPECT_TRUE(MessageHas(ApplyDirective("SemGuardNothing", "x", "/srv", &s),
                         "mod_semguard has no directive SemGuardNothing"));
}

TEST(AbsolutePathTest, FoldsDotsAndSlashesLikeServerRootRelative) {
  EXPECT_EQ(AbsolutePath("/etc/apache2", "apache2.conf"), "/etc/apache2/apache2.conf");
  EXPECT_EQ(AbsolutePath("/etc/apache2/", "/tmp//x/../y.conf"), "/tmp/y.conf");
  EXPECT_EQ(AbsolutePath("/srv", "../../etc/z"), "/etc/z");
  EXPECT_EQ(AbsolutePath("/", ""), "/");
}

TEST(ConfigFileOfTest, TheLastDashFWinsElseTheDefaultUnderServerRoot) {
  const char* none[] = {"httpd", "-k", "start"};
  EXPECT_EQ(ConfigFileOf(3, none, "apache2.conf", "/etc/apache2"), "/etc/apache2/apache2.conf");
  const char* two[] = {"httpd", "-f", "/a.conf", "-fconf/b.conf"};
  EXPECT_EQ(ConfigFileOf(4, two, "apache2.conf", "/srv"), "/srv/conf/b.conf");
  const char* dangling[] = {"httpd", "-f"};
  EXPECT_EQ(ConfigFileOf(2, dangling, "httpd.conf", "/srv"), "/srv/httpd.conf");
  EXPECT_EQ(ConfigFileOf(0, nullptr, "httpd.conf", "/srv"), "/srv/httpd.conf");
}

TEST(DefaultLedgerPathTest, InTheRuntimeDirNamedForRootAndConfig) {
  const std::string a = DefaultLedgerPath("/run/apache2", "/etc/apache2", "/etc/apache2/a.conf");
  const std::string b = DefaultLedgerPath("/run/apache2/", "/etc/apache2", "/etc/apache2/b.conf");
  EXPECT_EQ(a.rfind("/run/apache2/semguard-", 0), 0u) << a;
  EXPECT_EQ(a.substr(a.size() - 7), ".ledger");
  EXPECT_NE(a, b);
  EXPECT_EQ(a, DefaultLedgerPath("/run/apache2", "/etc/apache2", "/etc/apache2/a.conf"));
}

// Issue 8, case 9: one config file, one ledger, however its path is spelled.
class CanonicalLedgerTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mkdir(dir_.File("root").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(dir_.File("root/conf").c_str(), 0755), 0);
    ASSERT_TRUE(semguard_test::WriteFileBytes(dir_.File("root/conf/httpd.conf"), "#\n", 0644));
    ASSERT_EQ(symlink(dir_.File("root/conf").c_str(), dir_.File("conf-link").c_str()), 0);
    ASSERT_EQ(symlink(dir_.File("root").c_str(), dir_.File("root-link").c_str()), 0);
  }
  std::string Ledger(const std::string& root, const std::string& conf) {
    return DefaultLedgerPath("/run/apache2", dir_.File(root), dir_.File(conf));
  }
  semguard_test::TempDir dir_;
};

TEST_F(CanonicalLedgerTest, ASymlinkedFolderOfTheConfigFileGivesTheSameLedger) {
  EXPECT_EQ(Ledger("root", "root/conf/httpd.conf"), Ledger("root", "conf-link/httpd.conf"));
}

TEST_F(CanonicalLedgerTest, ASymlinkedServerRootGivesTheSameLedger) {
  EXPECT_EQ(Ledger("root", "root/conf/httpd.conf"),
            Ledger("root-link", "root-link/conf/httpd.conf"));
}

TEST_F(CanonicalLedgerTest, ASymlinkToTheFileItselfGivesTheSameLedger) {
  ASSERT_EQ(symlink(dir_.File("root/conf/httpd.conf").c_str(), dir_.File("file-link").c_str()), 0);
  EXPECT_EQ(Ledger("root", "root/conf/httpd.conf"), Ledger("root", "file-link"));
}

TEST_F(CanonicalLedgerTest, AnotherFileStillGetsAnotherLedger) {
  ASSERT_TRUE(semguard_test::WriteFileBytes(dir_.File("root/conf/other.conf"), "#\n", 0644));
  EXPECT_NE(Ledger("root", "root/conf/httpd.conf"), Ledger("root", "root/conf/other.conf"));
}

TEST(CanonicalPathTest, AMissingPathIsKeptAsGiven) {
  EXPECT_EQ(CanonicalPath("/no/such/semguard/file.conf"), "/no/such/semguard/file.conf");
}

}  // namespace
}  // namespace semguard
