// Fuzz target: the status page's query string (ParsePageQuery), as httpd hands over r->args.
//
// Properties, beyond "no crash and no sanitizer report":
// - an accepted query has a known format and a refresh of 0 (none) or 1..kMaxRefresh seconds;
// - the query written back in its plain form ("json&refresh=5") parses to the same request;
// - empty words do not matter: "&" before or after the query changes nothing;
// - a refusal is printable ASCII without '<', '>', '"' or '&': it is the body of the 400 answer,
//   and it echoes a stranger's words.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "page/page_query.h"

using semguard::PageFormat;
using semguard::PageQuery;
using semguard::Status;

namespace {

std::string Plain(const PageQuery& q) {
  std::string out;
  switch (q.format) {
    case PageFormat::kHtml: break;
    case PageFormat::kAuto: out = "auto"; break;
    case PageFormat::kJson: out = "json"; break;
    case PageFormat::kPrometheus: out = "prometheus"; break;
  }
  if (q.refresh > 0) {
    out += (out.empty() ? "refresh=" : "&refresh=") + std::to_string(q.refresh);
  }
  return out;
}

bool Same(const PageQuery& a, const PageQuery& b) {
  return a.format == b.format && a.refresh == b.refresh;
}

bool ParsesTo(std::string_view args, const Status& want, const PageQuery& q) {
  PageQuery got;
  Status st = semguard::ParsePageQuery(args, &got);
  if (st.ok() != want.ok()) return false;
  return !st.ok() ? st.message() == want.message() : Same(got, q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string args(reinterpret_cast<const char*>(data), size);
  PageQuery q;
  q.refresh = -7;  // left alone on refusal, replaced on success
  Status st = semguard::ParsePageQuery(args, &q);
  if (st.ok()) {
    bool known = q.format == PageFormat::kHtml || q.format == PageFormat::kAuto ||
                 q.format == PageFormat::kJson || q.format == PageFormat::kPrometheus;
    FUZZ_CHECK(known, "unknown format");
    FUZZ_CHECK(q.refresh >= 0 && q.refresh <= semguard::kMaxRefresh,
               "refresh " + std::to_string(q.refresh));
    PageQuery again;
    Status st2 = semguard::ParsePageQuery(Plain(q), &again);
    FUZZ_CHECK(st2.ok() && Same(q, again), "'" + Plain(q) + "' does not read back");
  } else {
    FUZZ_CHECK(q.refresh == -7, "output written on refusal");
    FUZZ_CHECK(st.code() == Status::Code::kInvalid, st.message());
    FUZZ_CHECK(IsPrintableAscii(st.message()), st.message());
    FUZZ_CHECK(st.message().find_first_of("<>\"&") == std::string::npos, st.message());
    FUZZ_CHECK(st.message().size() < 200, "refusal of " + std::to_string(st.message().size()));
  }
  FUZZ_CHECK(ParsesTo("&" + args, st, q), "a leading '&' changed the result");
  FUZZ_CHECK(ParsesTo(args + "&", st, q), "a trailing '&' changed the result");
  return 0;
}
