// The status page's renderers over hand-made PageModels: ?auto, ?json, ?prometheus, HTML.
#include "page/render.h"

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/has_text.h"
#include "support/json_checker.h"

namespace semguard {
namespace {

using semguard_test::HasText;
using semguard_test::JsonChecker;
using semguard_test::LacksText;

constexpr const char* kHostile = "<script>alert(\"x\\y\")</script>\n\x01tab\there";

// A server with two sets (one vanished), a last start with one skip, a host with two owners.
PageModel SampleModel() {
  PageModel m;
  m.now = 1763900100;
  m.server_pid = 812;
  m.generation = 2;
  m.server_sets.resize(2);
  m.server_sets[0].semid = 32769;
  m.server_sets[0].type = "mpm-accept";
  m.server_sets[0].created = 1763900000;
  m.server_sets[0].last_use = 1763900050;
  m.server_sets[0].present = true;
  m.server_sets[1].semid = 65538;
  m.server_sets[1].type = "ssl";
  m.server_sets[1].created = 1763900000;
  m.server_sets[1].present = false;
  m.server_sets_by_type = {{"mpm-accept", 1}};
  m.server_sets_present = 1;
  m.child_exits = 7;
  m.child_exits_by_signal = 2;
  m.vanished_sets = 1;
  m.startup.ran = true;
  m.startup.removed = 3;
  m.startup.skipped = 1;
  m.startup.candidates = 4;
  m.startup.adopted = 0;
  m.startup.millis = 12.4;
  m.startup.previous_owner = 700;
  m.startup.at = 1763899000;
  m.startup.n_skips = 1;
  m.startup.skips[0].semid = 98307;
  std::snprintf(m.startup.skips[0].reason, sizeof(m.startup.skips[0].reason), "%s",
                "in use: not free (value 0)");
  m.table.sets_in_use = 40;
  m.table.sets_limit = 100;
  m.table.sems_in_use = 45;
  m.table.sems_limit = 32000;
  m.sets_by_owner = {{0, 10}, {33, 30}};
  m.owner_names = {{0, "root"}, {33, ""}};
  m.scanned_at = 1763900098;
  m.leaked_sets = 5;
  m.leaked_at = 1763900090;
  m.unclean_stops_left = 60;
  return m;
}

void SetSkipReason(PageModel& m, const std::string& reason) {
  m.startup.n_skips = 1;
  std::snprintf(m.startup.skips[0].reason, sizeof(m.startup.skips[0].reason), "%s", reason.c_str());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// ---- Helpers ----

TEST(CamelCaseTest, TypeNamesBecomeKeys) {
  EXPECT_EQ(CamelCase("mpm-accept"), "MpmAccept");
  EXPECT_EQ(CamelCase("ssl"), "Ssl");
  EXPECT_EQ(CamelCase("post_config"), "PostConfig");
  EXPECT_EQ(CamelCase("h2-proxy"), "H2Proxy");
}

TEST(HtmlEscapeTest, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain text 123"), "plain text 123");
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("line\nnext\ttab\x01\x1f"), "line\\u000anext\\u0009tab\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9 /ok"), "caf\xc3\xa9 /ok");
}

TEST(FormatTimeTest, ZeroIsNever) {
  EXPECT_EQ(FormatTime(0), "never");
  EXPECT_EQ(FormatTime(-1), "never");
  EXPECT_EQ(FormatTime(1763900000), "2025-11-23 12:13:20 UTC");
}

TEST(ContentTypeTest, OnePerFormat) {
  EXPECT_EQ(std::string(ContentType(PageFormat::kHtml)), "text/html; charset=utf-8");
  EXPECT_EQ(std::string(ContentType(PageFormat::kAuto)), "text/plain; charset=utf-8");
  EXPECT_EQ(std::string(ContentType(PageFormat::kJson)), "application/json");
  EXPECT_EQ(std::string(ContentType(PageFormat::kPrometheus)),
            "text/plain; version=0.0.4; charset=utf-8");
}

// ---- ?auto ----

TEST(RenderAutoTest, EveryKeyInOrder) {
  PageModel m = SampleModel();
  m.server_sets_by_type = {{"ssl", 2}, {"mpm-accept", 1}, {"post_config", 1}};
  EXPECT_EQ(RenderAuto(m),
            "Verdict: attention\n"
            "VerdictReason: 1 set vanished under this server (SG00007); 5 sets on the host look "
            "leaked; the last start kept 1 set of the previous run (see Last start); the last "
            "start found 4 adoption candidate(s) and left them (SG00018)\n"
            "ServerSets: 1\n"
            "ServerSetsMpmAccept: 1\n"
            "ServerSetsPostConfig: 1\n"
            "ServerSetsSsl: 2\n"
            "ChildExits: 7\n"
            "ChildExitsBySignal: 2\n"
            "VanishedSets: 1\n"
            "StartupCleanupRan: 1\n"
            "PreviousOwnerPid: 700\n"
            "StartupRemoved: 3\n"
            "StartupSkipped: 1\n"
            "AdoptionCandidates: 4\n"
            "StartupCleanupMillis: 12\n"
            "SystemSets: 40\n"
            "SystemSetsLimit: 100\n"
            "SystemSems: 45\n"
            "SystemSemsLimit: 32000\n"
            "LeakedSets: 5\n"
            "UncleanStopsLeft: 60\n"
            "HeadroomRestarts: 60\n"
            "Guarding: 1\n"
            "Enabled: 1\n");
}

TEST(RenderGuardingTest, AnUnguardedServerSaysSoWithItsReasonInEveryFormat) {
  PageModel m = SampleModel();
  m.guarding = false;
  m.guarding_reason = "/run/x.ledger.lock is held by another live process of this instance";
  EXPECT_NE(RenderAuto(m).find("Guarding: 0\n"), std::string::npos);
  EXPECT_NE(RenderPrometheus(m).find("\nsemguard_guarding 0\n"), std::string::npos);
  EXPECT_NE(RenderPrometheus(m).find("\nsemguard_enabled 1\n"), std::string::npos);
  const std::string json = RenderJson(m);
  EXPECT_NE(json.find("\"guarding\":false,\"guarding_reason\":\"/run/x.ledger.lock is held"),
            std::string::npos) << json;
  const std::string html = RenderHtml(m, true, 0);
  EXPECT_NE(html.find("Guarding: no (/run/x.ledger.lock is held"), std::string::npos) << html;
  EXPECT_NE(html.find("serves unguarded"), std::string::npos);
}

TEST(RenderGuardingTest, AGuardingServerSaysYesAndNoWarning) {
  PageModel m = SampleModel();
  EXPECT_NE(RenderJson(m).find("\"guarding\":true,\"guarding_reason\":\"\""), std::string::npos);
  const std::string html = RenderHtml(m, true, 0);
  EXPECT_NE(html.find("Guarding: yes"), std::string::npos);
  EXPECT_EQ(html.find("unguarded"), std::string::npos);
}

TEST(RenderAutoTest, EveryKeyCarriesThePrefix) {
  for (const std::string& line : Lines(RenderAuto(SampleModel(), "SemGuard"))) {
    EXPECT_EQ(line.rfind("SemGuard", 0), 0u) << line;
    EXPECT_TRUE(HasText(line, ": ")) << line;
  }
  EXPECT_TRUE(HasText(RenderAuto(SampleModel(), "SemGuard"), "SemGuardServerSetsMpmAccept: 1\n"));
}

TEST(RenderAutoTest, UnknownFiguresAreMinusOne) {
  PageModel m = SampleModel();
  m.leaked_sets = -1;
  m.unclean_stops_left = -1;
  std::string text = RenderAuto(m);
  EXPECT_TRUE(HasText(text, "\nLeakedSets: -1\n"));
  EXPECT_TRUE(HasText(text, "\nUncleanStopsLeft: -1\n"));
  EXPECT_TRUE(HasText(text, "\nHeadroomRestarts: -1\n"));
}

// ---- ?json ----

testing::AssertionResult IsJson(const std::string& text) {
  JsonChecker check(text);
  if (check.Valid()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "not JSON at byte " << check.where() << ": " << text;
}

TEST(JsonCheckerTest, TellsJsonFromNot) {
  EXPECT_TRUE(IsJson("{\"a\":[1,-2.5e3,true,null,\"x\\u0001\"],\"b\":{}}\n"));
  EXPECT_FALSE(IsJson("{\"a\":1,}"));
  EXPECT_FALSE(IsJson("{\"a\":\"raw\ncontrol\"}"));
  EXPECT_FALSE(IsJson("{\"a\":\"bad \\x escape\"}"));
  EXPECT_FALSE(IsJson("{\"a\":1}{"));
  EXPECT_FALSE(IsJson("{\"a\":01}"));
}

TEST(RenderJsonTest, IsOneJsonObjectOnOneLine) {
  std::string text = RenderJson(SampleModel());
  EXPECT_TRUE(IsJson(text));
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(RenderJsonTest, CarriesTheFigures) {
  std::string text = RenderJson(SampleModel());
  for (const char* piece :
       {"{\"version\":1,\"time\":1763900100,\"verdict\":\"attention\",\"verdict_reason\":\"1 set",
        "\"pid\":812",
        "\"generation\":2",
        "\"sets_total\":1",
        "\"sets_by_type\":{\"mpm-accept\":1}",
        "{\"semid\":32769,\"type\":\"mpm-accept\",\"created\":1763900000,\"last_use\":1763900050,"
        "\"present\":true}",
        "{\"semid\":65538,\"type\":\"ssl\",\"created\":1763900000,\"last_use\":0,\"present\":"
        "false}",
        "\"child_exits\":7",
        "\"child_exits_by_signal\":2",
        "\"vanished_sets\":1",
        "\"cleanup_ran\":true",
        "\"removed\":3",
        "\"skipped\":1",
        "\"skips\":[{\"semid\":98307,\"reason\":\"in use: not free (value 0)\"}]",
        "\"adoption_candidates\":4",
        "\"cleanup_ms\":12",
        "\"previous_owner_pid\":700",
        "\"sets\":40",
        "\"sets_limit\":100",
        "\"sems\":45",
        "\"sems_limit\":32000",
        "\"sets_by_owner\":{\"0\":10,\"33\":30}",
        "\"scanned_at\":1763900098",
        "\"leaked_sets\":5",
        "\"unclean_stops_left\":60",
        "\"headroom_restarts\":60",
        "\"owners\":[{\"uid\":0,\"user\":\"root\",\"sets\":10},{\"uid\":33,\"user\":\"\","
        "\"sets\":30}]",
        "\"near_limit\":false"}) {
    EXPECT_TRUE(HasText(text, piece));
  }
}

TEST(RenderJsonTest, NoKeyRepeatsWithinTheSchema) {
  const std::string text = RenderJson(SampleModel());
  JsonChecker check(text);
  ASSERT_TRUE(check.Valid());
  EXPECT_EQ(check.keys().count("version"), 1u);
  EXPECT_EQ(check.keys().count("near_limit"), 1u);
  EXPECT_EQ(check.keys().count("reason"), 1u);
}

TEST(RenderJsonTest, EscapesAHostileSkipReason) {
  PageModel m = SampleModel();
  SetSkipReason(m, kHostile);
  std::string text = RenderJson(m);
  EXPECT_TRUE(IsJson(text));
  EXPECT_TRUE(HasText(
      text, "\"reason\":\"<script>alert(\\\"x\\\\y\\\")</script>\\u000a\\u0001tab\\u0009here\""));
}

TEST(RenderJsonTest, UnknownFiguresAreMinusOne) {
  PageModel m = SampleModel();
  m.leaked_sets = -1;
  m.unclean_stops_left = -1;
  std::string text = RenderJson(m);
  EXPECT_TRUE(IsJson(text));
  EXPECT_TRUE(HasText(text, "\"leaked_sets\":-1"));
  EXPECT_TRUE(HasText(text, "\"unclean_stops_left\":-1"));
  EXPECT_TRUE(HasText(text, "\"headroom_restarts\":-1"));
}

TEST(RenderJsonTest, AnEmptyModelIsJsonToo) {
  PageModel m;
  std::string text = RenderJson(m);
  EXPECT_TRUE(IsJson(text));
  EXPECT_TRUE(HasText(text, "\"sets\":[]"));
  EXPECT_TRUE(HasText(text, "\"cleanup_ran\":false"));
}

// ---- ?prometheus ----

// Checks the exposition text: every sample's metric has a HELP and a TYPE line before it, once;
// names start with semguard_; counters end in _total; label values are quoted. Returns the
// samples, "name{labels}" -> value text.
std::map<std::string, std::string> CheckExposition(const std::string& text) {
  std::map<std::string, std::string> helped, typed, samples;
  for (const std::string& line : Lines(text)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, rest;
      words >> name >> rest;
      auto& seen = line[2] == 'H' ? helped : typed;
      EXPECT_EQ(seen.count(name), 0u) << "repeated: " << line;
      EXPECT_FALSE(rest.empty()) << line;
      seen[name] = rest;
      if (line[2] == 'T') {
        EXPECT_TRUE(rest == "gauge" || rest == "counter") << line;
        const bool ends_in_total = name.size() > 6 && name.substr(name.size() - 6) == "_total";
        EXPECT_EQ(ends_in_total, rest == "counter") << line;
      }
      continue;
    }
    EXPECT_NE(line[0], '#') << "unexpected comment: " << line;
    size_t end = line.find_first_of("{ ");
    if (end == std::string::npos || end == 0) {
      ADD_FAILURE() << "not a sample: " << line;
      continue;
    }
    const std::string name = line.substr(0, end);
    EXPECT_EQ(name.rfind("semguard_", 0), 0u) << line;
    EXPECT_EQ(helped.count(name), 1u) << "no HELP before " << line;
    EXPECT_EQ(typed.count(name), 1u) << "no TYPE before " << line;
    size_t space = line.rfind(' ');
    if (line[end] == '{') {
      const std::string labels = line.substr(end, space - end);
      EXPECT_TRUE(labels.size() > 5 && labels.back() == '}' &&
                  labels.find("=\"") != std::string::npos && labels[labels.size() - 2] == '"')
          << "labels not quoted: " << line;
    }
    samples[line.substr(0, space)] = line.substr(space + 1);
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  return samples;
}

TEST(RenderPrometheusTest, EverySampleIsWellFormed) {
  std::map<std::string, std::string> samples = CheckExposition(RenderPrometheus(SampleModel()));
  EXPECT_EQ(samples["semguard_server_sets{type=\"mpm-accept\"}"], "1");
  EXPECT_EQ(samples["semguard_child_exits_total"], "7");
  EXPECT_EQ(samples["semguard_child_exits_by_signal_total"], "2");
  EXPECT_EQ(samples["semguard_vanished_sets_total"], "1");
  EXPECT_EQ(samples["semguard_startup_removed_sets"], "3");
  EXPECT_EQ(samples["semguard_startup_skipped_sets"], "1");
  EXPECT_EQ(samples["semguard_adoption_candidates"], "4");
  EXPECT_EQ(samples["semguard_startup_cleanup_seconds"], "0.012400");
  EXPECT_EQ(samples["semguard_system_sets"], "40");
  EXPECT_EQ(samples["semguard_system_sets_limit"], "100");
  EXPECT_EQ(samples["semguard_system_sems"], "45");
  EXPECT_EQ(samples["semguard_system_sems_limit"], "32000");
  EXPECT_EQ(samples["semguard_system_sets_by_owner{owner=\"0\",user=\"root\"}"], "10");
  EXPECT_EQ(samples["semguard_system_sets_by_owner{owner=\"33\"}"], "30");
  EXPECT_EQ(samples["semguard_leaked_sets"], "5");
  EXPECT_EQ(samples["semguard_unclean_stops_left"], "60");
  EXPECT_EQ(samples["semguard_headroom_restarts"], "60");
}

TEST(RenderPrometheusTest, UnknownFiguresAreLeftOut) {
  PageModel m = SampleModel();
  m.leaked_sets = -1;
  m.unclean_stops_left = -1;
  std::string text = RenderPrometheus(m);
  CheckExposition(text);
  EXPECT_TRUE(LacksText(text, "semguard_leaked_sets"));
  EXPECT_TRUE(LacksText(text, "semguard_headroom_restarts"));
  EXPECT_TRUE(LacksText(text, "semguard_unclean_stops_left"));
  EXPECT_TRUE(LacksText(text, "-1"));
}

TEST(RenderPrometheusTest, AMetricWithoutSamplesKeepsItsHelpAndType) {
  PageModel m = SampleModel();
  m.server_sets_by_type.clear();
  std::string text = RenderPrometheus(m);
  CheckExposition(text);
  EXPECT_TRUE(
      HasText(text, "# TYPE semguard_server_sets gauge\n# HELP semguard_child_exits_total"));
}

// ---- HTML ----

TEST(RenderHtmlTest, EscapesAHostileSkipReasonAndType) {
  PageModel m = SampleModel();
  SetSkipReason(m, kHostile);
  m.server_sets[0].type = "<img src=x onerror=alert(1)>";
  for (bool full_page : {true, false}) {
    std::string html = RenderHtml(m, full_page, 0);
    EXPECT_TRUE(LacksText(html, "<script>"));
    EXPECT_TRUE(LacksText(html, "<img"));
    EXPECT_TRUE(HasText(html, "&lt;script&gt;alert(&quot;x\\y&quot;)&lt;/script&gt;"));
    EXPECT_TRUE(HasText(html, "&lt;img src=x onerror=alert(1)&gt;"));
  }
}

TEST(RenderHtmlTest, ShowsTheFigures) {
  std::string html = RenderHtml(SampleModel(), true, 0);
  EXPECT_TRUE(HasText(html, "<title>mod_semguard status</title>"));
  EXPECT_TRUE(HasText(html, "40 of 100 (SEMMNI)"));
  EXPECT_TRUE(HasText(html, "<td>32769</td><td>mpm-accept</td>"));
  EXPECT_TRUE(HasText(html, "<b>vanished</b>"));
  EXPECT_TRUE(HasText(html, "<tr><td>root</td><td>0</td><td>10</td></tr>"));
  EXPECT_TRUE(HasText(html, "<tr><td>(no such user)</td><td>33</td><td>30</td></tr>"));
  EXPECT_TRUE(HasText(html, "Unclean stops left before the table is full: 60</dt>"));
  EXPECT_EQ(html.rfind("</body></html>\n"), html.size() - 15);
}

TEST(RenderHtmlTest, UnknownFiguresAreSaidInWords) {
  PageModel m = SampleModel();
  m.leaked_sets = -1;
  m.unclean_stops_left = -1;
  m.startup = StartupRecord{};
  std::string html = RenderHtml(m, true, 0);
  EXPECT_TRUE(HasText(html, "not counted yet"));
  EXPECT_TRUE(HasText(html, "Unclean stops left before the table is full: unknown"));
  EXPECT_TRUE(HasText(html, "No startup cleanup ran"));
}

TEST(RenderHtmlTest, WarnsOnlyUnderTenPercentFree) {
  PageModel m = SampleModel();
  m.table.sets_in_use = 90;  // exactly 10 % free
  EXPECT_FALSE(NearLimit(m));
  EXPECT_TRUE(LacksText(RenderHtml(m, true, 0), "nearly full"));
  m.table.sets_in_use = 91;
  EXPECT_TRUE(NearLimit(m));
  EXPECT_TRUE(HasText(RenderHtml(m, true, 0),
                      "Warning: the kernel's semaphore table is nearly full (91 of 100 sets)"));
  EXPECT_TRUE(HasText(RenderHtml(m, false, 0), "nearly full"));
  EXPECT_TRUE(HasText(RenderJson(m), "\"near_limit\":true"));
}

TEST(RenderHtmlTest, AnUnknownLimitIsNeverNearIt) {
  PageModel m;
  EXPECT_FALSE(NearLimit(m));
  EXPECT_TRUE(LacksText(RenderHtml(m, true, 0), "nearly full"));
}

TEST(RenderHtmlTest, MetaRefreshOnlyWhenAsked) {
  PageModel m = SampleModel();
  EXPECT_TRUE(HasText(RenderHtml(m, true, 5), "<meta http-equiv=\"refresh\" content=\"5\">"));
  EXPECT_TRUE(LacksText(RenderHtml(m, true, 0), "http-equiv"));
  EXPECT_TRUE(LacksText(RenderHtml(m, false, 5), "http-equiv"));
}

TEST(RenderHtmlTest, TheSectionForModStatusIsNoWholeDocument) {
  std::string section = RenderHtml(SampleModel(), false, 0);
  EXPECT_EQ(section.rfind("<hr />\n<h1>mod_semguard</h1>\n", 0), 0u);
  EXPECT_TRUE(LacksText(section, "<html"));
  EXPECT_TRUE(LacksText(section, "<body"));
}

}  // namespace
}  // namespace semguard
