// The page's verdict (Judge) in each state, and in every format; and the figure table as the one
// place every renderer reads: each row's names show up in the formats that name them.
#include "page/verdict.h"

#include <string>

#include <gtest/gtest.h>

#include "page/figures.h"
#include "page/render.h"
#include "support/has_text.h"
#include "support/json_checker.h"

namespace semguard {
namespace {

using semguard_test::HasText;
using semguard_test::LacksText;

// A guarding server with two present sets on a roomy table, nothing leaked: all is well.
PageModel WellModel() {
  PageModel m;
  m.server_sets.assign(2, ServerSetView{});
  for (ServerSetView& s : m.server_sets) s.present = true;
  m.server_sets_present = 2;
  m.server_sets_by_type = {{"mpm-accept", 1}, {"ssl", 1}};
  m.startup.ran = true;
  m.table.sets_in_use = 2;
  m.table.sems_in_use = 2;
  m.table.sets_limit = 100;
  m.table.sems_limit = 32000;
  m.leaked_sets = 0;
  m.unclean_stops_left = 49;
  return m;
}

TEST(JudgeTest, AWellServerIsOkWithOneSentence) {
  PageVerdict v = Judge(WellModel());
  EXPECT_EQ(v.verdict, Verdict::kOk);
  ASSERT_EQ(v.reasons.size(), 1u);
  EXPECT_TRUE(HasText(v.reasons[0], "guarding"));
}

TEST(JudgeTest, EachAttentionFigureGivesAttentionWithItsReason) {
  struct Case {
    const char* name;
    void (*change)(PageModel*);
    const char* reason;
  } cases[] = {
      {"leaked", [](PageModel* m) { m->leaked_sets = 3; }, "3 sets on the host look leaked"},
      {"vanished counter", [](PageModel* m) { m->vanished_sets = 1; },
       "1 set vanished under this server"},
      {"vanished now", [](PageModel* m) { m->server_sets[1].present = false; },
       "1 set vanished under this server"},
      {"unguarded",
       [](PageModel* m) {
         m->guarding = false;
         m->guarding_reason = "the lock is held";
       },
       "this server serves unguarded (the lock is held)"},
      {"off",
       [](PageModel* m) {
         m->enabled = false;
         m->guarding = false;
       },
       "not guarding: SemGuard Off"},
      {"kept at start", [](PageModel* m) { m->startup.skipped = 2; },
       "the last start kept 2 sets of the previous run"},
      {"candidates left", [](PageModel* m) { m->startup.candidates = 2; },
       "found 2 adoption candidate(s) and left them"},
  };
  for (const Case& c : cases) {
    PageModel m = WellModel();
    c.change(&m);
    PageVerdict v = Judge(m);
    EXPECT_EQ(v.verdict, Verdict::kAttention) << c.name;
    EXPECT_TRUE(HasText(JoinedReasons(v), c.reason)) << c.name;
  }
}

TEST(JudgeTest, AllCandidatesAdoptedIsNoLeftover) {
  PageModel m = WellModel();
  m.startup.candidates = 2;
  m.startup.adopted = 2;
  EXPECT_EQ(Judge(m).verdict, Verdict::kOk);
}

TEST(JudgeTest, ANearlyFullTableIsTroubleAndComesFirst) {
  PageModel m = WellModel();
  m.leaked_sets = 1;
  m.table.sets_in_use = 91;  // the page's near-limit threshold: under 10 % free
  PageVerdict v = Judge(m);
  EXPECT_EQ(v.verdict, Verdict::kTrouble);
  ASSERT_EQ(v.reasons.size(), 2u);
  EXPECT_TRUE(HasText(v.reasons[0], "nearly full: 91 of 100 sets"));
  EXPECT_TRUE(HasText(v.reasons[1], "look leaked"));
  m.table.sets_in_use = 90;  // exactly 10 % free: not near
  EXPECT_EQ(Judge(m).verdict, Verdict::kAttention);
}

TEST(VerdictFormatsTest, EveryFormatCarriesTheSameVerdict) {
  PageModel m = WellModel();
  m.leaked_sets = 3;
  const std::string text = RenderAuto(m);
  EXPECT_EQ(text.rfind("Verdict: attention\nVerdictReason: 3 sets on the host look leaked\n", 0),
            0u) << text;
  EXPECT_TRUE(HasText(RenderAuto(m, "SemGuard"), "SemGuardVerdict: attention\n"));
  const std::string json = RenderJson(m);
  EXPECT_TRUE(semguard_test::JsonChecker(json).Valid()) << json;
  EXPECT_TRUE(HasText(json, "\"verdict\":\"attention\",\"verdict_reason\":\"3 sets on the host"));
  const std::string prom = RenderPrometheus(m);
  EXPECT_TRUE(HasText(prom, "\nsemguard_verdict{verdict=\"OK\"} 0\n"
                            "semguard_verdict{verdict=\"attention\"} 1\n"
                            "semguard_verdict{verdict=\"trouble\"} 0\n"));
  for (bool full_page : {true, false}) {
    const std::string html = RenderHtml(m, full_page, 0);
    EXPECT_TRUE(HasText(html, "<p class=\"verdict verdict-attention\"><b>Verdict: attention</b>. "
                              "Why: 3 sets on the host look leaked</p>"));
  }
}

TEST(VerdictFormatsTest, TheVerdictLineComesFirstInTheHtml) {
  const std::string html = RenderHtml(WellModel(), true, 0);
  const size_t verdict = html.find("<b>Verdict: OK</b>");
  ASSERT_NE(verdict, std::string::npos) << html;
  EXPECT_LT(verdict, html.find("<dl>"));
  EXPECT_EQ(html.find("<h1>mod_semguard status</h1>\n<p class=\"verdict"),
            html.find("<h1>"));
}

TEST(VerdictFormatsTest, AReasonWithALineBreakStaysOnOneAutoLine) {
  PageModel m = WellModel();
  m.guarding = false;
  m.guarding_reason = "two\nlines";
  EXPECT_TRUE(HasText(RenderAuto(m), "VerdictReason: this server serves unguarded (two lines)\n"));
}

// The one-table promise: every name a row gives appears in its format, so a new row needs no
// renderer edit.
TEST(FigureTableTest, EveryRowShowsInEveryFormatItNames) {
  PageModel m = WellModel();
  m.sets_by_owner = {{33, 2}};
  m.owner_names = {{33, "www-data"}};
  const std::string text = RenderAuto(m), json = RenderJson(m), prom = RenderPrometheus(m),
                    html = RenderHtml(m, true, 0);
  for (const Figure& f : Figures()) {
    if (f.auto_key != nullptr) {
      EXPECT_TRUE(HasText(text, "\n" + std::string(f.auto_key) + ": ") ||
                  text.rfind(std::string(f.auto_key) + ": ", 0) == 0) << f.auto_key;
    }
    if (f.json != nullptr) {
      EXPECT_TRUE(HasText(json, "\"" + std::string(f.json) + "\":"));
    }
    if (f.json_parts != nullptr) {
      EXPECT_TRUE(HasText(json, "\"" + std::string(f.json_parts) + "\":{"));
    }
    if (f.metric != nullptr) {
      EXPECT_TRUE(HasText(prom, "# TYPE semguard_" + std::string(f.metric) + " " + f.type));
    }
    if (f.html != nullptr) {
      EXPECT_TRUE(HasText(html, HtmlEscape(f.html) + ": "));
    }
    EXPECT_TRUE(f.metric == nullptr || f.kind != Kind::kText) << "a text has no metric";
    EXPECT_TRUE(f.kind != Kind::kText || f.words != nullptr) << "a text needs its words";
  }
}

}  // namespace
}  // namespace semguard
