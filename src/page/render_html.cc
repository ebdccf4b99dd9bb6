// The HTML page, in the look of mod_status: the verdict first, then definition lists of the
// figures (read from the figure table) and plain tables for the lists. Every value that is not a
// number goes through HtmlEscape.
#include "page/figures.h"
#include "page/page_builder.h"
#include "page/render.h"
#include "page/verdict.h"

namespace semguard {
namespace {

std::string N(long long v) { return std::to_string(v); }

std::string Said(const Figure& f, const PageModel& m) {
  if (f.words != nullptr) return f.words(m);
  if (f.kind == Kind::kFlag) return f.value(m) != 0 ? "yes" : "no";
  return N(f.value(m));
}

// The HTML figures of the given sections, as <dt> lines.
std::string Listed(std::initializer_list<Section> sections, const PageModel& m) {
  std::string out;
  for (const Figure& f : Figures()) {
    bool wanted = false;
    for (Section s : sections) wanted = wanted || f.section == s;
    if (!wanted || f.html == nullptr) continue;
    out += "<dt>" + HtmlEscape(f.html) + ": " + HtmlEscape(Said(f, m)) + "</dt>\n";
  }
  return out.empty() ? out : "<dl>\n" + out + "</dl>\n";
}

// One line: "Verdict: attention. Why: ...", the verdict in bold, coloured by its class.
std::string VerdictLine(const PageModel& m) {
  std::string out;
  for (const Figure& f : Figures()) {
    if (f.section != Section::kVerdict || f.html == nullptr) continue;
    const std::string said = HtmlEscape(f.html) + ": " + HtmlEscape(Said(f, m));
    out += out.empty() ? "<b>" + said + "</b>" : ". " + said;
  }
  const std::string verdict = VerdictName(Judge(m).verdict);
  return "<p class=\"verdict verdict-" + verdict + "\">" + out + "</p>\n";
}

std::string Warnings(const PageModel& m) {
  std::string warning;
  if (!m.guarding && m.enabled) {
    warning += "<p><b>Warning: this server serves unguarded (" + HtmlEscape(m.guarding_reason) +
               "): its semaphore sets are in no ledger, and a crash now leaks them.</b></p>\n";
  }
  if (NearLimit(m)) {
    warning += "<p><b>Warning: the kernel's semaphore table is nearly full (" +
               N(m.table.sets_in_use) + " of " + N(m.table.sets_limit) +
               " sets). A start that needs more fails with 'No space left on "
               "device' (AH00023).</b></p>\n";
  }
  return warning;
}

std::string ServerTable(const PageModel& m) {
  std::string out =
      "<table border=\"0\"><tr><th>semid</th><th>type</th><th>created</th><th>last "
      "use</th><th>state</th></tr>\n";
  for (const ServerSetView& s : m.server_sets) {
    out += "<tr><td>" + N(s.semid) + "</td><td>" + HtmlEscape(s.type) + "</td><td>" +
           HtmlEscape(FormatTime(s.created)) + "</td><td>" + HtmlEscape(FormatTime(s.last_use)) +
           "</td><td>" + (s.present ? "present" : "<b>vanished</b>") + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string StartupSection(const PageModel& m) {
  const StartupRecord& st = m.startup;
  if (!st.ran)
    return "<p>No startup cleanup ran in this server's life (it runs at a real start only).</p>\n";
  std::string out = Listed({Section::kLastStart}, m);
  if (st.n_skips > 0) {
    out += "<table border=\"0\"><tr><th>skipped semid</th><th>reason</th></tr>\n";
    for (int i = 0; i < st.n_skips; ++i) {
      out += "<tr><td>" + N(st.skips[i].semid) + "</td><td>" + HtmlEscape(st.skips[i].reason) +
             "</td></tr>\n";
    }
    out += "</table>\n";
  }
  return out;
}

std::string HostSection(const PageModel& m) {
  std::string out = Listed({Section::kHost}, m) +
                    "<table border=\"0\"><tr><th>owner</th><th>uid</th><th>sets</th></tr>\n";
  for (const auto& [uid, n] : m.sets_by_owner) {
    auto name = m.owner_names.find(uid);
    const std::string user = name != m.owner_names.end() && !name->second.empty()
                                 ? HtmlEscape(name->second)
                                 : std::string("(no such user)");
    out += "<tr><td>" + user + "</td><td>" + N(uid) + "</td><td>" + N(n) + "</td></tr>\n";
  }
  out +=
      "</table>\n<p>Totals are read from the kernel at each request. Sets by owner come from a "
      "full scan of the table, kept for " +
      N(kScanCacheSeconds) + " seconds and shared by the server's processes (this one ran " +
      HtmlEscape(FormatTime(m.scanned_at)) +
      "); the leaked-set count is made by the parent about every 10 seconds.</p>\n";
  return out;
}

}  // namespace

std::string RenderHtml(const PageModel& m, bool full_page, int refresh) {
  std::string body = VerdictLine(m) + Warnings(m) +
                     Listed({Section::kPage, Section::kServer}, m) +
                     "<h2>This server's sets</h2>\n" + ServerTable(m) + "<h2>Last start</h2>\n" +
                     StartupSection(m) + "<h2>Host</h2>\n" + HostSection(m);
  if (!full_page) return "<hr />\n<h1>mod_semguard</h1>\n" + body;
  std::string head = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html><head>\n";
  if (refresh > 0) head += "<meta http-equiv=\"refresh\" content=\"" + N(refresh) + "\">\n";
  head += "<title>mod_semguard status</title>\n"
          "<style type=\"text/css\">\n"
          "  body { background-color: #fff; color: #000; font-family: sans-serif; }\n"
          "  h1 { font-size: 1.5em; } h2 { font-size: 1.2em; }\n"
          "  th { background-color: #ddd; text-align: left; padding: 2px 8px; }\n"
          "  td { background-color: #eee; padding: 2px 8px; }\n"
          "  .verdict { padding: 4px 8px; border-left: 6px solid #888; }\n"
          "  .verdict-OK { border-color: #2a2; } .verdict-attention { border-color: #d80; }\n"
          "  .verdict-trouble { border-color: #c00; background-color: #fee; }\n"
          "</style>\n</head><body>\n<h1>mod_semguard status</h1>\n";
  return head + body + "<hr />\n</body></html>\n";
}

}  // namespace semguard
