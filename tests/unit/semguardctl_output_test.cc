// semguardctl's output: the JSON writer, the monitoring verdict and its perfdata, and the text
// and JSON of list, explain and cleanup, from hand-made HostViews (no kernel, no /proc).
#include <gtest/gtest.h>

#include <string>

#include "semguardctl/check_state.h"
#include "semguardctl/cleanup_output.h"
#include "semguardctl/explain_output.h"
#include "semguardctl/json_writer.h"
#include "semguardctl/list_output.h"
#include "semguardctl/show_output.h"
#include "support/has_text.h"
#include "support/json_checker.h"

namespace semguardctl {
namespace {

using semguard_test::HasText;
using semguard_test::JsonChecker;
using semguard_test::LacksText;

bool ValidJson(const std::string& text) { return JsonChecker(text).Valid(); }

semguard::SemSet Set(int semid, uid_t uid, int value) {
  semguard::SemSet s;
  s.semid = semid;
  s.uid = uid;
  s.gid = uid;
  s.mode = 0600;
  s.nsems = 1;
  s.probed = true;
  s.value = value;
  s.last_pid = 4000 + semid;
  return s;
}

// A live instance with one set, a dead one with one leftover, a candidate and a foreign set.
HostView SampleView() {
  HostView v;
  v.info.sets_in_use = 4;
  v.info.sets_limit = 100;
  v.info.sems_in_use = 4;
  v.info.sems_limit = 1000;
  LedgerView live;
  live.path = "/run/apache2/semguard-a.ledger";
  live.status = semguard::Status::Ok();
  live.live = true;
  live.liveness = "pid 812 is still running (same start time)";
  live.ledger.owner.process.pid = 812;
  live.lock_holders = {812, 813};
  LedgerView dead = live;
  dead.path = "/run/apache2/semguard-\"b\".ledger";  // a quote, to be escaped
  dead.live = false;
  dead.liveness = "pid 700 is gone";
  dead.lock_holders.clear();
  v.ledgers = {live, dead};
  SetView a;
  a.set = Set(1, 0, 0);
  a.mark = Mark::kLive;
  a.ledger = 0;
  a.type = "mpm-accept";
  SetView b;
  b.set = Set(2, 0, 1);
  b.mark = Mark::kLeftover;
  b.ledger = 1;
  b.type = "ssl";
  b.removable = true;
  SetView c;
  c.set = Set(3, 0, 1);
  c.mark = Mark::kCandidate;
  c.removable = false;
  c.why = "live httpd process(es) without mod_semguard (pid 9) could own these sets";
  SetView d;
  d.set = Set(4, 0, 1);
  v.sets = {a, b, c, d};
  return v;
}

TEST(SemguardctlJsonWriterTest, NestsAndSeparatesAndEscapes) {
  JsonWriter w;
  w.BeginObject().Field("a", 1).Field("s", "x\"y\\z\n\x01").Key("list").BeginArray();
  w.Number(1).Bool(false).Null().BeginObject().Field("k", true).EndObject().EndArray();
  w.Key("empty").BeginArray().EndArray().Key("d").Double(1.5).EndObject();
  EXPECT_EQ(w.text(),
            "{\"a\":1,\"s\":\"x\\\"y\\\\z\\u000a\\u0001\",\"list\":[1,false,null,{\"k\":true}],"
            "\"empty\":[],\"d\":1.500}\n");
  EXPECT_TRUE(ValidJson(w.text()));
}

TEST(SemguardctlJsonWriterTest, WritesNoNaN) {
  JsonWriter w;
  w.BeginArray().Double(0.0 / 0.0).EndArray();
  EXPECT_EQ(w.text(), "[null]\n");
}

TEST(SemguardctlCheckTest, OkWithPerfdataOnThresholdsOfTheUsedCount) {
  HostView v = SampleView();
  v.sets.resize(1);  // the live set only
  CheckResult r = EvaluateCheck(v, Threshold{20, true}, Threshold{10, true});
  EXPECT_EQ(r.code, kOk);
  EXPECT_EQ(r.Line(),
            "SEMGUARD OK - 4 of 100 sets in use (96 free), 4 of 1000 semaphores; 0 leftover set(s) "
            "of dead instances, 0 adoption candidate(s) | sets=4;80;90;0;100 sems=4;800;900;0;1000 "
            "leftovers=0;0;;0 candidates=0;0;;0\n");
}

TEST(SemguardctlCheckTest, WarningForLeftoversOrCandidates) {
  CheckResult r = EvaluateCheck(SampleView(), Threshold{20, true}, Threshold{10, true});
  EXPECT_EQ(r.code, kWarning);
  EXPECT_EQ((std::pair<int, int>(r.leftovers, r.candidates)), (std::pair<int, int>(1, 1)));
  EXPECT_TRUE(HasText(r.Line(), "SEMGUARD WARNING - leftovers to clean: "));
  EXPECT_TRUE(HasText(r.Line(), " leftovers=1;0;;0 candidates=1;0;;0\n"));
}

TEST(SemguardctlCheckTest, WarningAndCriticalOnFreeSetsOrSemaphores) {
  HostView v = SampleView();
  v.sets.resize(1);
  v.info.sets_in_use = 81;  // 19 free: below 20%
  EXPECT_EQ(EvaluateCheck(v, Threshold{20, true}, Threshold{10, true}).code, kWarning);
  v.info.sets_in_use = 91;  // 9 free: below 10%
  CheckResult r = EvaluateCheck(v, Threshold{20, true}, Threshold{10, true});
  EXPECT_EQ(r.code, kCritical);
  EXPECT_TRUE(HasText(r.Line(), "SEMGUARD CRITICAL - semaphore table nearly full: 91 of 100"));
  v.info.sets_in_use = 90;  // exactly 10 free: not below
  EXPECT_EQ(EvaluateCheck(v, Threshold{20, true}, Threshold{10, true}).code, kWarning);
  v.info.sets_in_use = 4;
  v.info.sems_in_use = 995;  // the semaphores run out first
  EXPECT_EQ(EvaluateCheck(v, Threshold{20, true}, Threshold{10, true}).code, kCritical);
  v.info.sems_in_use = 4;
  EXPECT_EQ(EvaluateCheck(v, Threshold{97, false}, Threshold{2, false}).code, kWarning);
  EXPECT_EQ(EvaluateCheck(v, Threshold{96, false}, Threshold{2, false}).code, kOk);
}

TEST(SemguardctlCheckTest, UnknownWhenTheTableOrALedgerCannotBeRead) {
  HostView v = SampleView();
  v.ledgers[1].status = semguard::Status::Corrupt("/x.ledger: bad checksum");
  CheckResult r = EvaluateCheck(v, Threshold{20, true}, Threshold{10, true});
  EXPECT_EQ(r.code, kUnknown);
  EXPECT_TRUE(
      HasText(r.Line(), "SEMGUARD UNKNOWN - cannot read 1 ledger(s): /x.ledger: bad checksum"));
  v.table_status = semguard::Status::Io("semctl(SEM_INFO): Permission denied");
  r = EvaluateCheck(v, Threshold{20, true}, Threshold{10, true});
  EXPECT_EQ(r.code, kUnknown);
  EXPECT_EQ(r.Line(),
            "SEMGUARD UNKNOWN - cannot read the semaphore table: semctl(SEM_INFO): "
            "Permission denied\n");
}

TEST(SemguardctlCheckTest, JsonIsValidAndCarriesTheCode) {
  HostView v = SampleView();
  const std::string json = CheckJson(EvaluateCheck(v, Threshold{20, true}, Threshold{10, true}), v);
  EXPECT_TRUE(ValidJson(json)) << json;
  EXPECT_TRUE(HasText(json, "\"code\":1,\"status\":\"WARNING\""));
}

TEST(SemguardctlListTest, TextMarksEverySet) {
  const std::string text = ListText(SampleView());
  EXPECT_TRUE(HasText(text,
                      "/run/apache2/semguard-a.ledger: live (pid 812: pid 812 is still "
                      "running (same start time)), 0 set(s) recorded, 0 still present\n"));
  EXPECT_TRUE(HasText(text, "4 of 100 sets (SEMMNI), 4 of 1000 semaphores (SEMMNS) in use\n"));
  EXPECT_TRUE(HasText(text,
                      "live: mpm-accept, recorded by the live instance of "
                      "/run/apache2/semguard-a.ledger\n"));
  EXPECT_TRUE(HasText(text,
                      "leftover: ssl, left by the dead instance of "
                      "/run/apache2/semguard-\"b\".ledger; cleanup would remove it\n"));
  EXPECT_TRUE(HasText(text,
                      "candidate: httpd-shaped, free, abandoned, in no ledger: adoption "
                      "candidate (--adopt remove would keep it: live httpd process(es)"));
  EXPECT_TRUE(HasText(text, "foreign: not httpd's as far as the ledgers tell\n"));
  EXPECT_TRUE(HasText(text, "root:root"));  // owners by name
}

TEST(SemguardctlListTest, TextSaysWhenNothingIsFoundOrReadable) {
  HostView v;
  v.table_status = semguard::Status::Io("semctl(SEM_INFO): Permission denied");
  const std::string text = ListText(v);
  EXPECT_TRUE(HasText(text, "ledgers: none found"));
  EXPECT_TRUE(
      HasText(text, "semaphore table: cannot be read: semctl(SEM_INFO): Permission denied"));
}

TEST(SemguardctlListTest, JsonIsValidWithEveryMark) {
  const std::string json = ListJson(SampleView());
  JsonChecker checker(json);
  ASSERT_TRUE(checker.Valid()) << json;
  for (const char* key : {"version", "table", "ledgers", "sets", "mark", "owner", "removable"}) {
    EXPECT_GT(checker.keys().count(key), 0u) << key;
  }
  for (const char* mark : {"\"live\"", "\"leftover\"", "\"candidate\"", "\"foreign\""}) {
    EXPECT_TRUE(HasText(json, std::string("\"mark\":") + mark));
  }
  EXPECT_TRUE(HasText(json, "semguard-\\\"b\\\".ledger"));
  EXPECT_TRUE(HasText(json, "\"lock_holders\":[812,813]"));
}

TEST(SemguardctlExplainTest, OneLinePerRuleAndAVerdict) {
  EXPECT_EQ(FormatRule({"JudgeOwner", true, "pid 700 is gone"}),
            "  pass  JudgeOwner: pid 700 is gone\n");
  EXPECT_EQ(FormatRule({"JudgeFree", false, "in use: not free (value 0)"}),
            "  FAIL  JudgeFree: in use: not free (value 0)\n");
  HostView v = SampleView();
  Explanation e;
  e.semid = 2;
  e.exists = true;
  e.path = "recorded";
  e.rules = {{"ledger", true, "records it"}, {"JudgeOwner", true, "pid 700 is gone"}};
  e.would_remove = true;
  e.how = "semguardctl cleanup --ledger /x";
  const std::string text = ExplainText(e, v, &v.sets[1]);
  EXPECT_TRUE(HasText(text, "semaphore set 2 (root:root, leftover): ssl, left by"));
  EXPECT_TRUE(HasText(text, "  pass  ledger: records it\n  pass  JudgeOwner: pid 700 is gone\n"));
  EXPECT_TRUE(HasText(text, "verdict: would be removed by semguardctl cleanup --ledger /x\n"));
  const std::string json = ExplainJson(e, v, &v.sets[1]);
  EXPECT_TRUE(ValidJson(json)) << json;
  EXPECT_TRUE(HasText(json, "\"rules\":[{\"rule\":\"ledger\",\"pass\":true"));
  Explanation missing;
  missing.semid = 9;
  EXPECT_EQ(ExplainText(missing, v, nullptr), "semaphore set 9: not in the table\n");
  EXPECT_TRUE(ValidJson(ExplainJson(missing, v, nullptr)));
}

TEST(SemguardctlCleanupOutputTest, TheCoresLinesAndItsFigures) {
  CleanupOutcome o;
  o.ledger = "/run/apache2/semguard-a.ledger";
  o.report.removed = 2;
  o.report.gone = 1;
  o.report.candidates = 1;
  o.report.skips = {{7, "in use: not free (value 0)"}};
  o.report.skipped = 1;
  o.lines.push_back({semguard::Level::kNotice, "SG00015", "removed semaphore set 5"});
  const std::string text = CleanupText(o);
  EXPECT_TRUE(HasText(text, "notice: SG00015: removed semaphore set 5\n"));
  EXPECT_TRUE(HasText(text,
                      "/run/apache2/semguard-a.ledger: 2 removed, 1 kept, 1 already gone; "
                      "1 adoption candidate(s), 0 of them removed\n"));
  EXPECT_TRUE(LacksText(text, "dry run"));
  o.dry_run = true;
  o.ledger_found = false;
  EXPECT_TRUE(HasText(CleanupText(o), "no ledger at /run/apache2/semguard-a.ledger"));
  EXPECT_TRUE(HasText(CleanupText(o), "dry run (nothing removed): "));
  const std::string json = CleanupJson(o);
  EXPECT_TRUE(ValidJson(json)) << json;
  EXPECT_TRUE(HasText(json, "\"skips\":[{\"semid\":7,\"reason\":\"in use: not free (value 0)\"}]"));
  EXPECT_TRUE(HasText(json, "\"log\":[{\"level\":\"notice\",\"tag\":\"SG00015\""));
}

TEST(SemguardctlOutputTest, ShowPrintsEveryFieldOfALedgerWithInheritedOwners) {
  semguard::Ledger l;
  l.owner.process = {812, 4711, 4026531836, "0b9e-boot", 812};
  l.owner.lock = {2049, 1311};
  l.owner.generation = 3;
  l.owner.written_at = 1763900000;
  l.owner.server_root = "/etc/apache2";
  l.owner.config_file = "/etc/apache2/apache2.conf";
  semguard::RecordedSet own;
  own.set = Set(32769, 33, 1);
  own.type = "mpm-accept";
  own.creator_pid = 812;
  own.generation = 3;
  semguard::RecordedSet kept = own;
  kept.set = Set(7, 33, 1);
  kept.type = "ssl";
  kept.inherited = true;
  kept.owner.process = {640, 4100, 4026531836, "0b9e-boot", 640};
  l.sets = {own, kept};

  const std::string json = ShowJson("/run/a.ledger", l);
  EXPECT_TRUE(ValidJson(json)) << json;
  EXPECT_TRUE(HasText(json, R"("owner":{"pid":812,"start":4711,"pidns":4026531836,)")) << json;
  EXPECT_TRUE(HasText(json, R"("lockdev":2049,"lockino":1311,"gen":3,"written":1763900000})"));
  EXPECT_TRUE(HasText(json, R"("file":"/etc/apache2/apache2.conf")"));
  EXPECT_TRUE(HasText(json, R"("semid":32769,)")) << json;
  EXPECT_TRUE(HasText(json, R"("type":"mpm-accept","inherited":false})")) << json;
  EXPECT_TRUE(HasText(json, R"("type":"ssl","inherited":true,"owner":{"pid":640,)")) << json;

  const std::string text = ShowText("/run/a.ledger", l);
  EXPECT_TRUE(HasText(text, "2 set(s) recorded")) << text;
  EXPECT_TRUE(HasText(text, "semid 7  ssl")) << text;
  EXPECT_TRUE(HasText(text, "kept from the run of pid 640 (session 640")) << text;
  EXPECT_TRUE(LacksText(text.substr(0, text.find("semid 7")), "kept from")) << text;
}

}  // namespace
}  // namespace semguardctl
