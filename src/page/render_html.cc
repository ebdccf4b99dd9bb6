// The HTML page, in the look of mod_status: a definition list of figures and plain tables.
// Every value that is not a number goes through HtmlEscape.
#include "page/page_builder.h"
#include "page/render.h"

namespace semguard {
namespace {

std::string Dt(const std::string& label, const std::string& value) {
  return "<dt>" + HtmlEscape(label) + ": " + HtmlEscape(value) + "</dt>\n";
}

std::string N(long long v) { return std::to_string(v); }

std::string Summary(const PageModel& m) {
  std::string out = "<dl>\n";
  out += Dt("Current Time", FormatTime(m.now));
  out += Dt("Server pid", N(m.server_pid) + ", configuration generation " + N(m.generation));
  out += Dt("Guarding", m.guarding ? std::string("yes")
                                   : "no (" + m.guarding_reason + ")");
  out += Dt("This server's semaphore sets", N(m.server_sets_present));
  out += Dt("Child exits", N(static_cast<long long>(m.child_exits)) + ", " +
                               N(static_cast<long long>(m.child_exits_by_signal)) +
                               " by a signal or crash");
  out += Dt("Sets that vanished under this server", N(static_cast<long long>(m.vanished_sets)));
  out += Dt("Host semaphore sets",
            N(m.table.sets_in_use) + " of " + N(m.table.sets_limit) + " (SEMMNI)");
  out +=
      Dt("Host semaphores", N(m.table.sems_in_use) + " of " + N(m.table.sems_limit) + " (SEMMNS)");
  out += Dt("Sets that look leaked",
            m.leaked_sets < 0 ? std::string("not counted yet")
                              : N(m.leaked_sets) + " (counted " + FormatTime(m.leaked_at) + ")");
  out +=
      Dt("Headroom", m.headroom_restarts < 0
                         ? std::string("unknown (this server made no set)")
                         : N(m.headroom_restarts) + " more unclean restart(s) of this server fit");
  return out + "</dl>\n";
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
  std::string out = "<dl>\n";
  out += Dt("Cleanup at",
            FormatTime(st.at) + ", took " + N(static_cast<long long>(st.millis + 0.5)) + " ms");
  out += Dt("Previous owner pid",
            st.previous_owner ? N(st.previous_owner) : std::string("none recorded"));
  out += Dt("Leftover sets removed", N(st.removed));
  out += Dt("Leftover sets skipped", N(st.skipped));
  out += Dt("Adoption candidates found", N(st.candidates) + ", " + N(st.adopted) + " removed");
  out += "</dl>\n";
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
  std::string out = "<table border=\"0\"><tr><th>owner uid</th><th>sets</th></tr>\n";
  for (const auto& [uid, n] : m.sets_by_owner)
    out += "<tr><td>" + N(uid) + "</td><td>" + N(n) + "</td></tr>\n";
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
  std::string body = Summary(m) + warning + "<h2>This server's sets</h2>\n" + ServerTable(m) +
                     "<h2>Last start</h2>\n" + StartupSection(m) + "<h2>Host</h2>\n" +
                     HostSection(m);
  if (!full_page) return "<hr />\n<h1>mod_semguard</h1>\n" + body;
  std::string head = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html><head>\n";
  if (refresh > 0) head += "<meta http-equiv=\"refresh\" content=\"" + N(refresh) + "\">\n";
  head += "<title>mod_semguard status</title>\n"
          "<style type=\"text/css\">\n"
          "  body { background-color: #fff; color: #000; font-family: sans-serif; }\n"
          "  h1 { font-size: 1.5em; } h2 { font-size: 1.2em; }\n"
          "  th { background-color: #ddd; text-align: left; padding: 2px 8px; }\n"
          "  td { background-color: #eee; padding: 2px 8px; }\n"
          "</style>\n</head><body>\n<h1>mod_semguard status</h1>\n";
  return head + body + "<hr />\n</body></html>\n";
}

}  // namespace semguard
