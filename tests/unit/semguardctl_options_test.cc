// semguardctl's argument parser: every command and option, and every way an argument is wrong.
#include "semguardctl/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/has_text.h"

namespace semguardctl {
namespace {

using semguard_test::HasText;

struct Parsed {
  bool ok;
  Options opts;
  std::string error;
};

Parsed Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "semguardctl");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  Parsed p;
  p.ok = ParseArgs(static_cast<int>(argv.size()), argv.data(), &p.opts, &p.error);
  return p;
}

TEST(SemguardctlOptionsTest, ReadsEachCommand) {
  EXPECT_EQ(Parse({"list"}).opts.command, Command::kList);
  EXPECT_EQ(Parse({"check"}).opts.command, Command::kCheck);
  EXPECT_EQ(Parse({"cleanup", "--ledger", "/run/a.ledger"}).opts.command, Command::kCleanup);
  Parsed e = Parse({"explain", "32769"});
  ASSERT_TRUE(e.ok) << e.error;
  EXPECT_EQ(e.opts.command, Command::kExplain);
  EXPECT_EQ(e.opts.semid, 32769);
  Parsed show = Parse({"show", "/run/a.ledger", "--json"});
  ASSERT_TRUE(show.ok) << show.error;
  EXPECT_EQ(show.opts.command, Command::kShow);
  EXPECT_EQ(show.opts.ledgers, std::vector<std::string>{"/run/a.ledger"});
  EXPECT_TRUE(show.opts.json);
  EXPECT_EQ(Parse({"help"}).opts.command, Command::kHelp);
  EXPECT_EQ(Parse({"list", "--help"}).opts.command, Command::kHelp);
  EXPECT_EQ(Parse({"--version"}).opts.command, Command::kVersion);
}

TEST(SemguardctlOptionsTest, TakesTheSystemdDropInsLineAsWritten) {
  Parsed p = Parse({"cleanup", "--adopt", "report", "--ledger",
                    "/var/run/apache2/semguard-7b5269209b0e7d80.ledger"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.opts.adopt, semguard::AdoptMode::kReport);
  ASSERT_EQ(p.opts.ledgers.size(), 1u);
  EXPECT_EQ(p.opts.ledgers[0], "/var/run/apache2/semguard-7b5269209b0e7d80.ledger");
  EXPECT_FALSE(p.opts.dry_run);
}

TEST(SemguardctlOptionsTest, OptionsGoBeforeOrAfterTheCommandWithOrWithoutEquals) {
  Parsed p = Parse({"--json", "cleanup", "--ledger=/x.ledger", "--dry-run", "--adopt=Remove"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.opts.json);
  EXPECT_TRUE(p.opts.dry_run);
  EXPECT_EQ(p.opts.adopt, semguard::AdoptMode::kRemove);
  EXPECT_EQ(p.opts.ledgers, std::vector<std::string>{"/x.ledger"});
  Parsed l = Parse({"list", "--ledger", "/a.ledger", "--ledger", "/b.ledger", "--user", "www-data",
                    "--group", "33"});
  ASSERT_TRUE(l.ok) << l.error;
  EXPECT_EQ(l.opts.ledgers, (std::vector<std::string>{"/a.ledger", "/b.ledger"}));
  EXPECT_EQ(l.opts.user, "www-data");
  EXPECT_EQ(l.opts.group, "33");
}

TEST(SemguardctlOptionsTest, CheckThresholdsAreSetsOrPercent) {
  Parsed p = Parse({"check", "--warn-free", "50", "--crit-free", "5"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.opts.warn_free.value, 50);
  EXPECT_FALSE(p.opts.warn_free.percent);
  Parsed q = Parse({"check", "--warn-free=30%", "--crit-free=12.5%"});
  ASSERT_TRUE(q.ok) << q.error;
  EXPECT_TRUE(q.opts.crit_free.percent);
  EXPECT_DOUBLE_EQ(q.opts.crit_free.value, 12.5);
  // The default "nearly full" is the status page's.
  EXPECT_DOUBLE_EQ(Options().crit_free.value, semguard::kNearLimitFreeShare * 100);
  EXPECT_TRUE(Options().crit_free.percent);
  EXPECT_TRUE(HasText(UsageText(), "(default 10%)"));
}

TEST(SemguardctlOptionsTest, ThresholdCountRoundsAShareUp) {
  EXPECT_EQ(ThresholdCount(Threshold{10, true}, 32000), 3200);
  EXPECT_EQ(ThresholdCount(Threshold{10, true}, 7), 1);   // 0.7 sets: fewer than 1 free
  EXPECT_EQ(ThresholdCount(Threshold{80, true}, 7), 6);   // 5.6
  EXPECT_EQ(ThresholdCount(Threshold{10, true}, 20), 2);  // exact: not 3
  EXPECT_EQ(ThresholdCount(Threshold{5, false}, 7), 5);
  EXPECT_EQ(ThresholdCount(Threshold{0, true}, 7), 0);
}

TEST(SemguardctlOptionsTest, RefusesBadThresholds) {
  Threshold t;
  for (const char* bad : {"", "%", "-1", "101%", "1.5", "lots", "5x", "1e3", "10%%"}) {
    EXPECT_FALSE(ParseThreshold(bad, &t)) << bad;
  }
  Parsed p = Parse({"check", "--warn-free", "lots"});
  EXPECT_FALSE(p.ok);
  EXPECT_TRUE(HasText(p.error, "--warn-free: 'lots' is not a number of sets or a percentage"));
  Parsed inverted = Parse({"check", "--warn-free", "5", "--crit-free", "9"});
  EXPECT_FALSE(inverted.ok);
  EXPECT_TRUE(HasText(inverted.error, "--crit-free must not be above --warn-free"));
}

TEST(SemguardctlOptionsTest, NamesWhatIsWrong) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "no command given"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"list", "--colour"}, "unknown option '--colour'"},
      {{"list", "-x"}, "unknown option '-x'"},
      {{"list", "--dry-run"}, "option '--dry-run' does not apply to list"},
      {{"check", "--adopt", "off"}, "option '--adopt' does not apply to check"},
      {{"explain", "1", "--warn-free", "3"}, "option '--warn-free' does not apply to explain"},
      {{"list", "--json=yes"}, "option '--json' takes no value"},
      {{"list", "--ledger"}, "option '--ledger' needs a value"},
      {{"list", "--ledger="}, "option '--ledger' needs a value"},
      {{"explain"}, "explain needs a semid"},
      {{"explain", "12a"}, "'12a' is not a semid"},
      {{"explain", "99999999999"}, "'99999999999' is not a semid"},
      {{"explain", "1", "2"}, "unexpected argument '2'"},
      {{"list", "extra"}, "unexpected argument 'extra'"},
      {{"cleanup"}, "cleanup needs exactly one --ledger FILE"},
      {{"cleanup", "--ledger", "/a", "--ledger", "/b"}, "cleanup needs exactly one --ledger FILE"},
      {{"cleanup", "--ledger", "/a", "--adopt", "all"},
       "--adopt: 'all' is not valid; use off, report or remove"},
  };
  for (const auto& [args, words] : cases) {
    Parsed p = Parse(args);
    EXPECT_FALSE(p.ok) << words;
    EXPECT_TRUE(HasText(p.error, words));
  }
}

TEST(SemguardctlOptionsTest, ShowTakesExactlyOneFileAndNoOtherLedger) {
  Parsed none = Parse({"show"});
  EXPECT_FALSE(none.ok);
  EXPECT_TRUE(HasText(none.error, "show needs a ledger FILE"));
  Parsed two = Parse({"show", "/run/a.ledger", "/run/b.ledger"});
  EXPECT_FALSE(two.ok);
  EXPECT_TRUE(HasText(two.error, "unexpected argument '/run/b.ledger'"));
  Parsed ledger = Parse({"show", "/run/a.ledger", "--ledger", "/run/b.ledger"});
  EXPECT_FALSE(ledger.ok);
  EXPECT_TRUE(HasText(ledger.error, "option '--ledger' does not apply to show"));
  EXPECT_FALSE(Parse({"show", "/run/a.ledger", "--dry-run"}).ok);
}

}  // namespace
}  // namespace semguardctl
