#include "ledger/ledger_format.h"
#include "support/sample_ledger.h"

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/crc32c.h"

namespace semguard {
namespace {

using semguard_test::SampleLedger;
using semguard_test::SampleSet;

// The lines of `text`, without their newlines.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Every line of the sample ledger but the "end" line: [0] magic, [1] owner, [2] config, [3] and
// [4] the two sets.
std::vector<std::string> SampleBody() {
  std::vector<std::string> lines = Lines(EncodeLedger(SampleLedger()));
  lines.pop_back();
  return lines;
}

// Joins `body` and adds an end line with the right checksum and `count`.
std::string Seal(const std::vector<std::string>& body, size_t count) {
  std::string text;
  for (const std::string& line : body) text += line + "\n";
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", Crc32c(text));
  return text + "end count=" + std::to_string(count) + " crc32c=" + crc + "\n";
}

// Same, with the count the body really has.
std::string Seal(const std::vector<std::string>& body) {
  return Seal(body, body.size() < 3 ? 0 : body.size() - 3);
}

// `line` with the value of `key` replaced.
std::string WithValue(std::string line, const std::string& key, const std::string& value) {
  size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return "<no key " + key + " in: " + line + ">";
  size_t begin = at + key.size() + 2;
  size_t end = line.find(' ', begin);
  return line.replace(begin, end == std::string::npos ? std::string::npos : end - begin, value);
}

// `line` without the field `key`.
std::string WithoutKey(std::string line, const std::string& key) {
  size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return "<no key " + key + " in: " + line + ">";
  size_t end = line.find(' ', at + 1);
  return line.erase(at, end == std::string::npos ? std::string::npos : end - at);
}

// Succeeds when DecodeLedger refuses `text` as kCorrupt with a message holding every one of
// `needles`, and leaves *out untouched.
testing::AssertionResult RefusedAsCorrupt(const std::string& text,
                                          std::initializer_list<std::string> needles) {
  Ledger out;
  out.owner.generation = -42;  // a marker that a refused decode must not overwrite
  Status st = DecodeLedger(text, &out);
  if (st.ok()) return testing::AssertionFailure() << "decoded fine:\n" << text;
  if (st.code() != Status::Code::kCorrupt) {
    return testing::AssertionFailure() << "code " << static_cast<int>(st.code())
                                       << " instead of kCorrupt: " << st.message();
  }
  for (const std::string& needle : needles) {
    if (st.message().find(needle) == std::string::npos) {
      return testing::AssertionFailure()
             << "message \"" << st.message() << "\" lacks \"" << needle << "\"";
    }
  }
  if (out.owner.generation != -42) return testing::AssertionFailure() << "*out was changed";
  return testing::AssertionSuccess() << st.message();
}

void ExpectSameSet(const RecordedSet& a, const RecordedSet& b) {
  EXPECT_EQ(a.set.semid, b.set.semid);
  EXPECT_EQ(a.set.key, b.set.key);
  EXPECT_EQ(a.set.uid, b.set.uid);
  EXPECT_EQ(a.set.gid, b.set.gid);
  EXPECT_EQ(a.set.cuid, b.set.cuid);
  EXPECT_EQ(a.set.cgid, b.set.cgid);
  EXPECT_EQ(a.set.mode, b.set.mode);
  EXPECT_EQ(a.set.nsems, b.set.nsems);
  EXPECT_EQ(a.set.ctime, b.set.ctime);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.creator_pid, b.creator_pid);
  EXPECT_EQ(a.generation, b.generation);
}

void ExpectSameLedger(const Ledger& a, const Ledger& b) {
  EXPECT_EQ(a.owner.process.pid, b.owner.process.pid);
  EXPECT_EQ(a.owner.process.start_time, b.owner.process.start_time);
  EXPECT_EQ(a.owner.process.pid_ns, b.owner.process.pid_ns);
  EXPECT_EQ(a.owner.process.boot_id, b.owner.process.boot_id);
  EXPECT_EQ(a.owner.generation, b.owner.generation);
  EXPECT_EQ(a.owner.written_at, b.owner.written_at);
  EXPECT_EQ(a.owner.server_root, b.owner.server_root);
  EXPECT_EQ(a.owner.config_file, b.owner.config_file);
  ASSERT_EQ(a.sets.size(), b.sets.size());
  for (size_t i = 0; i < a.sets.size(); ++i) ExpectSameSet(a.sets[i], b.sets[i]);
}

// ---- Round trips ----

TEST(LedgerFormatTest, RoundTripKeepsEveryField) {
  Ledger original = SampleLedger();
  original.sets[1].set.key = -1234567;
  original.sets[1].set.mode = 0640;
  original.sets[1].set.uid = 4294967294u;
  original.sets[1].generation = 7;
  Ledger decoded;
  ASSERT_TRUE(DecodeLedger(EncodeLedger(original), &decoded).ok());
  ExpectSameLedger(original, decoded);
}

TEST(LedgerFormatTest, RoundTripKeepsStringsWithSpacesPercentUtf8AndEquals) {
  Ledger original = SampleLedger();
  original.owner.server_root = "/srv/my server/100% \xC3\xA9t\xC3\xA9 \xE2\x9C\x93";
  original.owner.config_file = "/srv/a=b/c==d conf+%41.conf";
  original.owner.process.boot_id = "unknown";
  Ledger decoded;
  const std::string text = EncodeLedger(original);
  Status st = DecodeLedger(text, &decoded);
  ASSERT_TRUE(st.ok()) << st.message() << "\n" << text;
  EXPECT_EQ(decoded.owner.server_root, original.owner.server_root);
  EXPECT_EQ(decoded.owner.config_file, original.owner.config_file);
  EXPECT_EQ(decoded.owner.process.boot_id, "unknown");
}

TEST(LedgerFormatTest, RoundTripOfEmptyStringsAndNoSets) {
  Ledger original = SampleLedger();
  original.owner.server_root = "";
  original.owner.config_file = "";
  original.sets.clear();
  Ledger decoded;
  ASSERT_TRUE(DecodeLedger(EncodeLedger(original), &decoded).ok());
  ExpectSameLedger(original, decoded);
}

TEST(LedgerFormatTest, EncodingHasTheDocumentedLayout) {
  const std::string text = EncodeLedger(SampleLedger());
  std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "semguard-ledger 2");
  EXPECT_EQ(lines[1],
            "owner pid=812 start=4711 pidns=4026531836 "
            "boot=0b9e7a52-5c8b-4f2e-9d3a-1f2e3d4c5b6a sid=812 gen=1 written=1763900000 "
            "lockdev=2049 lockino=1311");
  EXPECT_EQ(lines[2], "config root=/etc/apache2 file=/etc/apache2/apache2.conf");
  EXPECT_EQ(lines[3],
            "set semid=32769 key=0 uid=33 gid=33 cuid=0 cgid=0 mode=600 nsems=1 "
            "ctime=1763900000 pid=812 gen=1 type=mpm-accept");
  lines.pop_back();
  EXPECT_EQ(text, Seal(lines, 2));
}

TEST(LedgerFormatTest, EncodingPercentEncodesEverythingButPlainCharacters) {
  Ledger ledger = SampleLedger();
  ledger.owner.server_root = "/a b";
  ledger.owner.config_file = "x=%\xC3\xA9";
  EXPECT_EQ(Lines(EncodeLedger(ledger))[2], "config root=/a%20b file=x%3D%25%C3%A9");
}

TEST(LedgerFormatTest, AcceptsExactlyTheMaximumNumberOfSets) {
  std::vector<std::string> body = SampleBody();
  body.resize(3);
  for (size_t i = 0; i < kLedgerMaxSets; ++i) {
    body.push_back(WithValue(SampleBody()[3], "semid", std::to_string(i)));
  }
  Ledger decoded;
  Status st = DecodeLedger(Seal(body), &decoded);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(decoded.sets.size(), kLedgerMaxSets);
}

// ---- Whole-file problems ----

TEST(LedgerFormatTest, RefusesEmptyText) { EXPECT_TRUE(RefusedAsCorrupt("", {"empty"})); }

TEST(LedgerFormatTest, RefusesWrongMagic) {
  std::vector<std::string> body = SampleBody();
  body[0] = "sqlite-ledger 1";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"not a semguard ledger"}));
}

TEST(LedgerFormatTest, RefusesOtherVersion) {
  std::vector<std::string> body = SampleBody();
  body[0] = "semguard-ledger 3";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"version", "1 to 2"}));
}

TEST(LedgerFormatTest, AnInheritedSetCarriesItsOwnRunThroughARoundTrip) {
  Ledger ledger = SampleLedger();
  RecordedSet& kept = ledger.sets[1];
  kept.inherited = true;
  kept.owner.process = ledger.owner.process;
  kept.owner.process.pid = 640;
  kept.owner.process.session = 640;
  kept.owner.process.pid_ns = 4026532999u;
  kept.owner.lock = FileId{2049, 77};
  Ledger decoded;
  ASSERT_TRUE(DecodeLedger(EncodeLedger(ledger), &decoded).ok());
  EXPECT_FALSE(decoded.sets[0].inherited);
  ASSERT_TRUE(decoded.sets[1].inherited);
  EXPECT_EQ(decoded.sets[1].owner.process.pid, 640);
  EXPECT_EQ(decoded.sets[1].owner.process.session, 640);
  EXPECT_EQ(decoded.sets[1].owner.process.pid_ns, 4026532999u);
  EXPECT_EQ(decoded.sets[1].owner.lock, (FileId{2049, 77}));
  EXPECT_EQ(OwnerOf(decoded, decoded.sets[0]).lock, (FileId{2049, 1311}));
  EXPECT_EQ(OwnerOf(decoded, decoded.sets[1]).process.pid, 640);
  EXPECT_EQ(decoded.owner.process.session, 812);
}

TEST(LedgerFormatTest, AnInheritedSetWithOnlySomeOfItsOwnerIsRefused) {
  Ledger ledger = SampleLedger();
  ledger.sets[1].inherited = true;
  ledger.sets[1].owner.process.pid = 640;
  std::vector<std::string> body = Lines(EncodeLedger(ledger));
  body.pop_back();
  body[4] = body[4].substr(0, body[4].find(" olockdev="));  // a hand edit dropped the lock
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 5", "olockdev"}));
}

TEST(LedgerFormatTest, AVersionOneLedgerIsStillReadWithItsLockAndSessionUnknown) {
  const std::string v1 =
      "semguard-ledger 1\n"
      "owner pid=812 start=4711 pidns=4026531836 boot=b gen=1 written=1763900000\n"
      "config root=/etc/apache2 file=/etc/apache2/apache2.conf\n"
      "set semid=32769 key=0 uid=33 gid=33 cuid=0 cgid=0 mode=600 nsems=1 ctime=1763900000 "
      "pid=812 gen=1 type=mpm-accept\n";
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", Crc32c(v1));
  Ledger decoded;
  Status st = DecodeLedger(v1 + "end count=1 crc32c=" + crc + "\n", &decoded);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(decoded.owner.process.pid, 812);
  EXPECT_FALSE(decoded.owner.lock.known());
  EXPECT_EQ(decoded.owner.process.session, 0);
  ASSERT_EQ(decoded.sets.size(), 1u);
  EXPECT_FALSE(decoded.sets[0].inherited);
  // Version 1 has no o* fields: one there is refused, not silently taken.
  const std::string bad = v1.substr(0, v1.size() - 1) + " opid=5\n";
  std::snprintf(crc, sizeof(crc), "%08x", Crc32c(bad));
  EXPECT_FALSE(DecodeLedger(bad + "end count=1 crc32c=" + crc + "\n", &decoded).ok());
}

TEST(LedgerFormatTest, RefusesLastLineWithoutNewline) {
  std::string text = EncodeLedger(SampleLedger());
  text.pop_back();
  EXPECT_TRUE(RefusedAsCorrupt(text, {"truncated", "newline"}));
}

TEST(LedgerFormatTest, RefusesFileCutInTheMiddleOfALine) {
  std::string text = EncodeLedger(SampleLedger());
  EXPECT_TRUE(RefusedAsCorrupt(text.substr(0, text.size() / 2), {"truncated"}));
}

TEST(LedgerFormatTest, RefusesFileCutBeforeTheEndLine) {
  std::string text;
  for (const std::string& line : SampleBody()) text += line + "\n";
  EXPECT_TRUE(RefusedAsCorrupt(text, {"last line", "'end'"}));
}

TEST(LedgerFormatTest, RefusesFewerThanFourLines) {
  std::vector<std::string> body = SampleBody();
  body.resize(2);  // magic and owner: no config line
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body, 0), {"fewer than four lines"}));
}

TEST(LedgerFormatTest, RefusesOneFlippedByteInASetLine) {
  std::string text = EncodeLedger(SampleLedger());
  size_t at = text.find("semid=32769");
  ASSERT_NE(at, std::string::npos);
  text[at + 6] = '4';  // semid=42769
  EXPECT_TRUE(RefusedAsCorrupt(text, {"checksum"}));
}

TEST(LedgerFormatTest, RefusesWrongChecksumValue) {
  std::string text = EncodeLedger(SampleLedger());
  std::vector<std::string> lines = Lines(text);
  lines.back() = WithValue(lines.back(), "crc32c", "00000000");
  std::string tampered;
  for (const std::string& line : lines) tampered += line + "\n";
  EXPECT_TRUE(RefusedAsCorrupt(tampered, {"checksum"}));
}

TEST(LedgerFormatTest, RefusesCountThatDoesNotMatchTheSets) {
  EXPECT_TRUE(RefusedAsCorrupt(Seal(SampleBody(), 3), {"count"}));
  EXPECT_TRUE(RefusedAsCorrupt(Seal(SampleBody(), 1), {"count"}));
}

TEST(LedgerFormatTest, RefusesMoreThanTheMaximumNumberOfSets) {
  std::vector<std::string> body = SampleBody();
  body.resize(3);
  for (size_t i = 0; i <= kLedgerMaxSets; ++i) {
    body.push_back(WithValue(SampleBody()[3], "semid", std::to_string(i)));
  }
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"more than 4096 sets"}));
}

TEST(LedgerFormatTest, RefusesBadEndLine) {
  std::vector<std::string> lines = Lines(EncodeLedger(SampleLedger()));
  std::string text;
  for (size_t i = 0; i + 1 < lines.size(); ++i) text += lines[i] + "\n";
  EXPECT_TRUE(RefusedAsCorrupt(text + WithValue(lines.back(), "count", "two") + "\n",
                               {"last line", "count", "not a valid number"}));
  EXPECT_TRUE(
      RefusedAsCorrupt(text + lines.back() + " extra=1\n", {"last line", "unknown key 'extra'"}));
}

// ---- Field problems: each body is resealed, so only the named problem remains ----

TEST(LedgerFormatTest, RefusesUnknownKey) {
  std::vector<std::string> body = SampleBody();
  body[3] += " colour=blue";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "unknown key 'colour'"}));
}

TEST(LedgerFormatTest, RefusesMissingKey) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithoutKey(body[3], "ctime");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "missing key 'ctime'"}));
}

TEST(LedgerFormatTest, RefusesMissingKeyInOwnerLine) {
  std::vector<std::string> body = SampleBody();
  body[1] = WithoutKey(body[1], "boot");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 2", "missing key 'boot'"}));
}

TEST(LedgerFormatTest, RefusesMissingKeyInConfigLine) {
  std::vector<std::string> body = SampleBody();
  body[2] = WithoutKey(body[2], "file");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 3", "missing key 'file'"}));
}

TEST(LedgerFormatTest, RefusesDuplicateKey) {
  std::vector<std::string> body = SampleBody();
  body[4] += " semid=65538";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 5", "key 'semid' appears twice"}));
}

// The duplicate-key search is linear per line, so a line's fields are bounded: a hostile line
// of 100,000 distinct keys is refused at the 65th, in time linear in the line.
TEST(LedgerFormatTest, RefusesALineWithMoreFieldsThanAnyVersionHas) {
  std::vector<std::string> body = SampleBody();
  for (int i = 0; i < 100000; ++i) body[4] += " k" + std::to_string(i) + "=1";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 5", "more than 64 fields on a line"}));
}

TEST(LedgerFormatTest, RefusesNonNumericNumber) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "nsems", "1x");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "key 'nsems' is not a valid number"}));
}

TEST(LedgerFormatTest, RefusesEmptyNumber) {
  std::vector<std::string> body = SampleBody();
  body[1] = WithValue(body[1], "start", "");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 2", "key 'start' is not a valid number"}));
}

TEST(LedgerFormatTest, RefusesOverflowingNumber) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "semid", "2147483648");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "key 'semid' is not a valid number"}));
}

TEST(LedgerFormatTest, RefusesNegativeUid) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "uid", "-1");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "key 'uid' is not a valid number"}));
}

TEST(LedgerFormatTest, RefusesNegativeSemid) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "semid", "-5");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "semid must not be negative"}));
}

TEST(LedgerFormatTest, RefusesNonPositiveOwnerPid) {
  std::vector<std::string> body = SampleBody();
  body[1] = WithValue(body[1], "pid", "0");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 2", "owner pid must be positive"}));
}

TEST(LedgerFormatTest, RefusesModeBeyond0777) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "mode", "1777");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "mode has bits beyond 0777"}));
}

TEST(LedgerFormatTest, RefusesModeThatIsNotOctal) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "mode", "680");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "key 'mode' is not a valid number"}));
}

TEST(LedgerFormatTest, RefusesBadTypeNames) {
  for (const char* bad : {"MPM-accept", "ssl%20cache", "a.b", ""}) {
    std::vector<std::string> body = SampleBody();
    body[3] = WithValue(body[3], "type", bad);
    EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "type is not a valid mutex type name"}))
        << "type=" << bad;
  }
}

TEST(LedgerFormatTest, RefusesTypeNameLongerThan64) {
  std::vector<std::string> body = SampleBody();
  body[3] = WithValue(body[3], "type", std::string(65, 'a'));
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "type"}));
}

TEST(LedgerFormatTest, RefusesDuplicateSemid) {
  std::vector<std::string> body = SampleBody();
  body[4] = WithValue(body[4], "semid", "32769");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 5", "semid 32769 appears twice"}));
}

TEST(LedgerFormatTest, RefusesBadPercentEncoding) {
  for (const char* bad : {"/etc/%ZZ", "/etc/%4", "/etc/%", "/etc/a=b", "/etc/%4g"}) {
    std::vector<std::string> body = SampleBody();
    body[2] = WithValue(body[2], "root", bad);
    EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 3", "key 'root' is badly encoded"}))
        << "root=" << bad;
  }
}

TEST(LedgerFormatTest, RefusesNulByteViaPercent00) {
  std::vector<std::string> body = SampleBody();
  body[2] = WithValue(body[2], "file", "/etc/apache2/x%00.conf");
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 3", "key 'file' is badly encoded"}));
}

TEST(LedgerFormatTest, RefusesFieldWithoutEquals) {
  std::vector<std::string> body = SampleBody();
  body[3] += " orphan";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "'orphan' is not key=value"}));
}

TEST(LedgerFormatTest, RefusesLineOfTheWrongKind) {
  std::vector<std::string> body = SampleBody();
  std::swap(body[1], body[2]);  // config before owner
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 2", "expected a 'owner' line"}));
}

// The decoder has a message for exactly this ("fields must be separated by one space").
TEST(LedgerFormatTest, RefusesDoubleSpacesNamingThem) {
  std::vector<std::string> body = SampleBody();
  size_t at = body[3].find(" key=");
  body[3].insert(at, " ");  // "semid=32769  key=0"
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4", "one space"}));
}

TEST(LedgerFormatTest, RefusesTrailingSpace) {
  std::vector<std::string> body = SampleBody();
  body[3] += " ";
  EXPECT_TRUE(RefusedAsCorrupt(Seal(body), {"line 4"}));
}

TEST(LedgerFormatTest, TypeNameRules) {
  EXPECT_TRUE(IsValidTypeName("mpm-accept"));
  EXPECT_TRUE(IsValidTypeName("ssl_cache0"));
  EXPECT_TRUE(IsValidTypeName(std::string(64, 'z')));
  EXPECT_FALSE(IsValidTypeName(std::string(65, 'z')));
  EXPECT_FALSE(IsValidTypeName(""));
  EXPECT_FALSE(IsValidTypeName("Mpm"));
  EXPECT_FALSE(IsValidTypeName("a b"));
}

}  // namespace
}  // namespace semguard
