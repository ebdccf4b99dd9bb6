// The status page's query string: the words it takes, and how it refuses the rest.
#include "page/page_query.h"

#include <string>

#include <gtest/gtest.h>

#include "support/has_text.h"

namespace semguard {
namespace {

using semguard_test::HasText;

// The query `args` parses; fails the test when it is refused.
PageQuery Parsed(std::string_view args) {
  PageQuery q;
  q.refresh = -7;  // must be overwritten
  Status st = ParsePageQuery(args, &q);
  EXPECT_TRUE(st.ok()) << "'" << args << "': " << st.message();
  return q;
}

// The message refusing `args`; fails the test when it is accepted.
std::string Refusal(std::string_view args) {
  PageQuery q;
  Status st = ParsePageQuery(args, &q);
  EXPECT_FALSE(st.ok()) << "'" << args << "' was accepted";
  EXPECT_EQ(st.code(), Status::Code::kInvalid) << args;
  return st.message();
}

TEST(ParsePageQueryTest, NoQueryIsHtml) {
  PageQuery q = Parsed("");
  EXPECT_EQ(q.format, PageFormat::kHtml);
  EXPECT_EQ(q.refresh, 0);
}

TEST(ParsePageQueryTest, EachFormatWord) {
  EXPECT_EQ(Parsed("auto").format, PageFormat::kAuto);
  EXPECT_EQ(Parsed("json").format, PageFormat::kJson);
  EXPECT_EQ(Parsed("prometheus").format, PageFormat::kPrometheus);
}

TEST(ParsePageQueryTest, RefreshAloneKeepsHtml) {
  PageQuery q = Parsed("refresh=5");
  EXPECT_EQ(q.format, PageFormat::kHtml);
  EXPECT_EQ(q.refresh, 5);
}

TEST(ParsePageQueryTest, FormatAndRefresh) {
  PageQuery q = Parsed("auto&refresh=5");
  EXPECT_EQ(q.format, PageFormat::kAuto);
  EXPECT_EQ(q.refresh, 5);
  EXPECT_EQ(Parsed("refresh=7&json").refresh, 7);
}

TEST(ParsePageQueryTest, EmptyWordsAreIgnored) {
  EXPECT_EQ(Parsed("&&auto&").format, PageFormat::kAuto);
  EXPECT_EQ(Parsed("&").format, PageFormat::kHtml);
}

TEST(ParsePageQueryTest, TwoFormatsAreRefused) {
  EXPECT_TRUE(HasText(Refusal("auto&json"), "one format only"));
  EXPECT_TRUE(HasText(Refusal("prometheus&refresh=5&auto"), "one format only"));
}

TEST(ParsePageQueryTest, TheSameFormatTwiceIsAccepted) {
  EXPECT_EQ(Parsed("json&json").format, PageFormat::kJson);
}

TEST(ParsePageQueryTest, AnUnknownWordIsNamed) {
  std::string why = Refusal("auto&verbose");
  EXPECT_TRUE(HasText(why, "unknown query word 'verbose'"));
  EXPECT_TRUE(HasText(why, "use auto, json, prometheus and/or refresh=N"));
}

TEST(ParsePageQueryTest, AnUnknownWordIsEchoedWithHarmlessCharactersOnly) {
  std::string why = Refusal("<script>alert(\"x\") 'y'</script>");
  EXPECT_TRUE(HasText(why, "unknown query word '?script?alert??x????y???script?';"));
  for (char c : std::string("<>\"")) EXPECT_EQ(why.find(c), std::string::npos) << c;
  // The echo is cut short: a long word does not fill the message.
  EXPECT_TRUE(HasText(Refusal(std::string(500, 'a')), "'" + std::string(40, 'a') + "'"));
}

TEST(ParsePageQueryTest, ABadRefreshIsRefused) {
  for (const char* word : {"refresh=-1", "refresh=abc", "refresh=1.5", "refresh=+5", "refresh=5x",
                           "refresh=99999999999999999999999x"}) {
    EXPECT_TRUE(HasText(Refusal(word), "refresh must be a whole number of seconds: '")) << word;
  }
}

// As mod_status: a bare "refresh", or zero seconds, means every second.
TEST(ParsePageQueryTest, NoOrZeroSecondsMeansEverySecond) {
  EXPECT_EQ(Parsed("refresh").refresh, 1);
  EXPECT_EQ(Parsed("refresh=").refresh, 1);
  EXPECT_EQ(Parsed("refresh=0").refresh, 1);
  EXPECT_EQ(Parsed("json&refresh=0").format, PageFormat::kJson);
}

// "00" is zero seconds as much as "0" is (mod_status reads both with atol).
TEST(ParsePageQueryTest, ZeroWrittenWithMoreDigitsIsZeroToo) {
  EXPECT_EQ(Parsed("refresh=00").refresh, 1);
}

// What HTML forms and Prometheus' `params` send for a bare word.
TEST(ParsePageQueryTest, AFormatWordWithAnEmptyValueIsTheWord) {
  EXPECT_EQ(Parsed("auto=").format, PageFormat::kAuto);
  EXPECT_EQ(Parsed("prometheus=&refresh=5").format, PageFormat::kPrometheus);
  EXPECT_TRUE(HasText(Refusal("auto=1"), "unknown query word 'auto=1'"));
}

TEST(ParsePageQueryTest, AHugeRefreshIsClampedNotRefused) {
  EXPECT_EQ(Parsed("refresh=99999999999999999999999999").refresh, kMaxRefresh);
  EXPECT_EQ(Parsed("refresh=3601").refresh, kMaxRefresh);
  EXPECT_EQ(Parsed("refresh=3600").refresh, 3600);
  EXPECT_EQ(Parsed("refresh=1").refresh, 1);
}

TEST(ParsePageQueryTest, ARefusalLeavesTheOutputAlone) {
  PageQuery q;
  q.format = PageFormat::kJson;
  q.refresh = 9;
  EXPECT_FALSE(ParsePageQuery("auto&bogus", &q).ok());
  EXPECT_EQ(q.format, PageFormat::kJson);
  EXPECT_EQ(q.refresh, 9);
}

}  // namespace
}  // namespace semguard
