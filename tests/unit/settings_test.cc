#include "settings.h"

#include <string>

#include <gtest/gtest.h>

namespace semguard {
namespace {

testing::AssertionResult MessageHas(const Status& st, const std::string& needle) {
  if (st.message().find(needle) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "message \"" << st.message() << "\" lacks \"" << needle << "\"";
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

TEST(ParseLedgerPathTest, RefusesControlCharacters) {
  for (const std::string& path : {std::string("/tmp/a\nb"), std::string("/tmp/a\rb"),
                                  std::string("/tmp/a\0b", 8)}) {
    Status st = ParseLedgerPath(path);
    EXPECT_EQ(st.code(), Status::Code::kInvalid);
    EXPECT_TRUE(MessageHas(st, "control character"));
  }
}

TEST(ParseLedgerPathTest, RefusesOverlongPath) {
  EXPECT_TRUE(ParseLedgerPath("/" + std::string(2999, 'a')).ok());
  Status st = ParseLedgerPath("/" + std::string(3000, 'a'));
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

}  // namespace
}  // namespace semguard
