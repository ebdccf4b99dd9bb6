// Fuzz target: the ledger's text format (DecodeLedger, EncodeLedger).
//
// Properties, beyond "no crash and no sanitizer report":
// - a ledger that decodes keeps the format's promises (pid > 0, unique semids, mode <= 0777,
//   valid type names, at most kLedgerMaxSets sets);
// - re-encoding it and decoding again gives the same ledger, and the encoding is a fixed point;
// - any one byte of that encoding changed, or the text cut short, is refused or decodes to the
//   very same ledger (the checksum catches every single-byte change);
// - a ledger built from the input bytes, as the module would fill it, encodes to text that
//   decodes back to it.
// Almost every mutation breaks the checksum, which would keep the fuzzer at the first gate; so
// each input is also decoded "sealed": with the end line (count and checksum) its body calls for.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "base/crc32c.h"
#include "fuzz_check.h"
#include "ledger/ledger_format.h"

using semguard::DecodeLedger;
using semguard::EncodeLedger;
using semguard::Ledger;
using semguard::RecordedSet;
using semguard::Status;

namespace {

bool SameSet(const RecordedSet& a, const RecordedSet& b) {
  return a.set.semid == b.set.semid && a.set.key == b.set.key && a.set.uid == b.set.uid &&
         a.set.gid == b.set.gid && a.set.cuid == b.set.cuid && a.set.cgid == b.set.cgid &&
         a.set.mode == b.set.mode && a.set.nsems == b.set.nsems && a.set.ctime == b.set.ctime &&
         a.type == b.type && a.creator_pid == b.creator_pid && a.generation == b.generation;
}

bool SameLedger(const Ledger& a, const Ledger& b) {
  const auto& x = a.owner;
  const auto& y = b.owner;
  if (x.process.pid != y.process.pid || x.process.start_time != y.process.start_time ||
      x.process.pid_ns != y.process.pid_ns || x.process.boot_id != y.process.boot_id ||
      x.generation != y.generation || x.written_at != y.written_at ||
      x.server_root != y.server_root || x.config_file != y.config_file ||
      a.sets.size() != b.sets.size()) {
    return false;
  }
  for (size_t i = 0; i < a.sets.size(); ++i) {
    if (!SameSet(a.sets[i], b.sets[i])) return false;
  }
  return true;
}

void CheckPromises(const Ledger& ledger) {
  FUZZ_CHECK(ledger.owner.process.pid > 0, "owner pid");
  FUZZ_CHECK(ledger.sets.size() <= semguard::kLedgerMaxSets, "set count");
  std::set<int> semids;
  for (const RecordedSet& r : ledger.sets) {
    FUZZ_CHECK(r.set.semid >= 0, "semid " + std::to_string(r.set.semid));
    FUZZ_CHECK(r.set.mode <= 0777, "mode " + std::to_string(r.set.mode));
    FUZZ_CHECK(semguard::IsValidTypeName(r.type), "type '" + r.type + "'");
    FUZZ_CHECK(semids.insert(r.set.semid).second, "semid twice");
  }
}

// Refused, or exactly the ledger that was written: never a different ledger.
void CheckRefusedOrSame(std::string_view text, const Ledger& written, const std::string& how) {
  Ledger got;
  Status st = DecodeLedger(text, &got);
  if (!st.ok()) {
    FUZZ_CHECK(!st.message().empty(), "refusal without a reason (" + how + ")");
    return;
  }
  FUZZ_CHECK(SameLedger(got, written), "a damaged ledger decoded to another ledger (" + how + ")");
}

// The text side: whatever decodes survives a round trip, and damage to it is caught.
void CheckDecoded(std::string_view text, size_t pick) {
  Ledger first;
  Status st = DecodeLedger(text, &first);
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == Status::Code::kCorrupt, "refusal code: " + st.message());
    FUZZ_CHECK(!st.message().empty(), "refusal without a reason");
    return;
  }
  CheckPromises(first);
  const std::string again = EncodeLedger(first);
  Ledger second;
  st = DecodeLedger(again, &second);
  FUZZ_CHECK(st.ok(), "re-encoded ledger refused: " + st.message());
  FUZZ_CHECK(SameLedger(first, second), "round trip changed the ledger");
  FUZZ_CHECK(EncodeLedger(second) == again, "encoding is not a fixed point");

  // One changed byte at a position the input chooses, and one cut.
  std::string damaged = again;
  size_t at = pick % damaged.size();
  damaged[at] = static_cast<char>(damaged[at] ^ (1 + (pick >> 8) % 255));
  CheckRefusedOrSame(damaged, first, "byte " + std::to_string(at) + " changed");
  std::string_view cut = std::string_view(again).substr(0, (pick >> 3) % again.size());
  Ledger ignored;
  FUZZ_CHECK(!DecodeLedger(cut, &ignored).ok(), "a cut ledger decoded");
}

// The input with its own end line, if any, replaced by the one its body calls for.
std::string Sealed(std::string_view text) {
  std::string body(text);
  if (!body.empty() && body.back() != '\n') body += '\n';
  size_t start = body.size() < 2 ? 0 : body.rfind('\n', body.size() - 2);
  start = start == std::string::npos || body.size() < 2 ? 0 : start + 1;
  if (body.compare(start, 4, "end ") == 0) body.resize(start);
  size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", semguard::Crc32c(body));
  return body + "end count=" + std::to_string(lines > 3 ? lines - 3 : 0) + " crc32c=" + crc + "\n";
}

// Strings as the module fills them: from C strings, so without NUL bytes.
std::string CText(FuzzedDataProvider* in, size_t max) {
  std::string s = in->ConsumeRandomLengthString(max);
  for (char& c : s) {
    if (c == '\0') c = '0';
  }
  return s;
}

// The writer's side: a ledger as the recorder fills it encodes to text that decodes back.
void CheckEncoded(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Ledger ledger;
  auto& o = ledger.owner;
  o.process.pid = in.ConsumeIntegralInRange<pid_t>(1, INT32_MAX);
  o.process.start_time = in.ConsumeIntegral<uint64_t>();
  o.process.pid_ns = in.ConsumeIntegral<uint64_t>();
  o.process.boot_id = CText(&in, 64);
  o.generation = in.ConsumeIntegral<long>();
  o.written_at = in.ConsumeIntegral<int64_t>();
  o.server_root = CText(&in, 256);
  o.config_file = CText(&in, 256);
  static const char* const kTypes[] = {"mpm-accept", "ssl-cache", "ssl-stapling", "post_config",
                                       "pre_config", "rewrite-map", "a", "x_1-2"};
  size_t sets = in.ConsumeIntegralInRange<size_t>(0, 12);
  std::set<int> semids;
  for (size_t i = 0; i < sets; ++i) {
    RecordedSet r;
    r.set.semid = in.ConsumeIntegralInRange<int>(0, INT32_MAX);
    if (!semids.insert(r.set.semid).second) continue;  // the kernel's ids are unique
    r.set.key = in.ConsumeIntegral<int32_t>();
    r.set.uid = in.ConsumeIntegral<uid_t>();
    r.set.gid = in.ConsumeIntegral<gid_t>();
    r.set.cuid = in.ConsumeIntegral<uid_t>();
    r.set.cgid = in.ConsumeIntegral<gid_t>();
    r.set.mode = in.ConsumeIntegralInRange<unsigned>(0, 0777);
    r.set.nsems = in.ConsumeIntegral<unsigned long>();
    r.set.ctime = in.ConsumeIntegral<int64_t>();
    r.creator_pid = in.ConsumeIntegral<pid_t>();
    r.generation = in.ConsumeIntegral<long>();
    r.type = kTypes[in.ConsumeIntegralInRange<size_t>(0, 7)];
    ledger.sets.push_back(r);
  }
  const std::string text = EncodeLedger(ledger);
  Ledger back;
  Status st = DecodeLedger(text, &back);
  FUZZ_CHECK(st.ok(), "the decoder refused what the encoder wrote: " + st.message());
  FUZZ_CHECK(SameLedger(ledger, back), "encode then decode changed the ledger");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t pick = 0;
  for (size_t i = 0; i < size && i < 8; ++i) pick = pick * 131 + data[size - 1 - i];
  CheckDecoded(text, pick);
  CheckDecoded(Sealed(text), pick);
  CheckEncoded(data, size);
  return 0;
}
