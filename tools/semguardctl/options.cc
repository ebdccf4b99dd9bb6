#include "semguardctl/options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "config/settings.h"

namespace semguardctl {
namespace {

bool ParseCommand(const std::string& word, Command* out) {
  if (word == "list")
    *out = Command::kList;
  else if (word == "check")
    *out = Command::kCheck;
  else if (word == "cleanup")
    *out = Command::kCleanup;
  else if (word == "explain")
    *out = Command::kExplain;
  else if (word == "show")
    *out = Command::kShow;
  else if (word == "help")
    *out = Command::kHelp;
  else
    return false;
  return true;
}

bool ParseSemid(const std::string& text, int* out) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  long v = std::strtol(text.c_str(), nullptr, 10);
  if (v > 2147483647L) return false;
  *out = static_cast<int>(v);
  return true;
}

// Which commands take an option: a misplaced one is an error, not silently ignored.
bool Allowed(const std::string& opt, Command c) {
  if (opt == "--json") return true;
  if (opt == "--ledger" || opt == "--user" || opt == "--group") return c != Command::kShow;
  if (opt == "--adopt" || opt == "--dry-run") return c == Command::kCleanup;
  if (opt == "--warn-free" || opt == "--crit-free") return c == Command::kCheck;
  return false;
}

}  // namespace

bool ParseThreshold(const std::string& text, Threshold* out) {
  std::string number = text;
  bool percent = !number.empty() && number.back() == '%';
  if (percent) number.pop_back();
  if (number.empty() || number.size() > 12) return false;
  for (char c : number) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(number.c_str(), &end);
  if (errno != 0 || end == nullptr || *end != '\0' || v < 0) return false;
  if (percent && v > 100) return false;
  if (!percent && v != std::floor(v)) return false;  // a count of sets is whole
  out->value = v;
  out->percent = percent;
  return true;
}

long ThresholdCount(const Threshold& t, long limit) {
  if (!t.percent) return static_cast<long>(t.value);
  return static_cast<long>(std::ceil(t.value * static_cast<double>(limit) / 100.0 - 1e-9));
}

bool ParseArgs(int argc, const char* const* argv, Options* out, std::string* error) {
  Options o;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.command = Command::kHelp;
      *out = o;
      return true;
    }
    if (arg == "--version" || arg == "-V") {
      o.command = Command::kVersion;
      *out = o;
      return true;
    }
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0 || arg == "--") {
      if (!arg.empty() && arg[0] == '-' && arg != "-") {
        *error = "unknown option '" + arg + "'";
        return false;
      }
      words.push_back(arg);
      continue;
    }
    std::string value;
    bool has_value = false;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const bool takes_value = arg == "--ledger" || arg == "--user" || arg == "--group" ||
                             arg == "--adopt" || arg == "--warn-free" || arg == "--crit-free";
    if (arg != "--json" && arg != "--dry-run" && !takes_value) {
      *error = "unknown option '" + arg + "'";
      return false;
    }
    if (!takes_value && has_value) {
      *error = "option '" + arg + "' takes no value";
      return false;
    }
    if (takes_value && !has_value) {
      if (i + 1 >= argc) {
        *error = "option '" + arg + "' needs a value";
        return false;
      }
      value = argv[++i];
    }
    if (takes_value && value.empty()) {
      *error = "option '" + arg + "' needs a value";
      return false;
    }
    if (arg == "--json") {
      o.json = true;
    } else if (arg == "--dry-run") {
      o.dry_run = true;
    } else if (arg == "--ledger") {
      o.ledgers.push_back(value);
    } else if (arg == "--user") {
      o.user = value;
    } else if (arg == "--group") {
      o.group = value;
    } else if (arg == "--adopt") {
      size_t choice = 0;
      semguard::Status st =
          semguard::ParseKeyword("--adopt", value, {"off", "report", "remove"}, &choice);
      if (!st.ok()) {
        *error = st.message();
        return false;
      }
      o.adopt = choice == 0   ? semguard::AdoptMode::kOff
                : choice == 1 ? semguard::AdoptMode::kReport
                              : semguard::AdoptMode::kRemove;
    } else {  // --warn-free, --crit-free
      Threshold t;
      if (!ParseThreshold(value, &t)) {
        *error = arg + ": '" + value + "' is not a number of sets or a percentage (0-100%)";
        return false;
      }
      (arg == "--warn-free" ? o.warn_free : o.crit_free) = t;
    }
    // Checked once the command is known: remember which options were used.
    words.push_back("\x01" + arg);
  }

  std::vector<std::string> positional;
  std::vector<std::string> used;
  for (const std::string& w : words) {
    if (!w.empty() && w[0] == '\x01')
      used.push_back(w.substr(1));
    else
      positional.push_back(w);
  }
  if (positional.empty()) {
    *error = "no command given";
    return false;
  }
  if (!ParseCommand(positional[0], &o.command)) {
    *error = "unknown command '" + positional[0] + "'";
    return false;
  }
  if (o.command == Command::kHelp) {
    *out = o;
    return true;
  }
  for (const std::string& opt : used) {
    if (!Allowed(opt, o.command)) {
      *error = "option '" + opt + "' does not apply to " + CommandName(o.command);
      return false;
    }
  }
  const bool takes_word = o.command == Command::kExplain || o.command == Command::kShow;
  const size_t wanted = takes_word ? 2 : 1;
  if (positional.size() < wanted) {
    *error = o.command == Command::kShow ? "show needs a ledger FILE"
                                         : "explain needs a semid (see 'semguardctl list')";
    return false;
  }
  if (positional.size() > wanted) {
    *error = "unexpected argument '" + positional[wanted] + "'";
    return false;
  }
  if (o.command == Command::kExplain && !ParseSemid(positional[1], &o.semid)) {
    *error = "'" + positional[1] + "' is not a semid (a number, as 'ipcs -s' shows)";
    return false;
  }
  if (o.command == Command::kShow) o.ledgers = {positional[1]};
  if (o.command == Command::kCleanup && o.ledgers.size() != 1) {
    *error = "cleanup needs exactly one --ledger FILE";
    return false;
  }
  if (o.command == Command::kCheck && o.crit_free.percent == o.warn_free.percent &&
      o.crit_free.value > o.warn_free.value) {
    *error = "--crit-free must not be above --warn-free";
    return false;
  }
  *out = o;
  return true;
}

std::string FormatThreshold(const Threshold& t) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g%s", t.value, t.percent ? "%" : "");
  return buf;
}

const char* CommandName(Command c) {
  switch (c) {
    case Command::kList:
      return "list";
    case Command::kCheck:
      return "check";
    case Command::kCleanup:
      return "cleanup";
    case Command::kExplain:
      return "explain";
    case Command::kShow:
      return "show";
    case Command::kHelp:
      return "help";
    case Command::kVersion:
      return "version";
    case Command::kNone:
      break;
  }
  return "none";
}

std::string UsageText() {
  const Options defaults;
  return "usage: semguardctl [--json] COMMAND [options]\n"
         "\n"
         "commands:\n"
         "  list                    every semaphore set on the host, and who made it\n"
         "  check                   a monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL,"
         " 3 UNKNOWN\n"
         "  cleanup --ledger FILE   remove what a stopped server left, with the module's proofs\n"
         "  explain SEMID           why this set would or would not be removed, rule by rule\n"
         "  show FILE               a ledger, read and checked as the module reads it\n"
         "\n"
         "options:\n"
         "  --ledger FILE           a ledger to read (repeatable); list, check and explain also\n"
         "                          read *.ledger in /run/apache2, /var/run/apache2, /run/httpd\n"
         "                          and /etc/httpd/run\n"
         "  --user NAME, --group NAME  httpd's User and Group (default: the ledgers' sets' owner)\n"
         "  --json                  print one JSON object\n"
         "  --adopt off|report|remove  cleanup: unknown httpd-shaped leftovers (default report)\n"
         "  --dry-run               cleanup: report only, remove nothing\n"
         "  --warn-free N[%]        check: WARNING when fewer sets are free (default " +
         FormatThreshold(defaults.warn_free) +
         ")\n"
         "  --crit-free N[%]        check: CRITICAL when fewer sets are free (default " +
         FormatThreshold(defaults.crit_free) +
         ")\n"
         "  --help, --version\n";
}

}  // namespace semguardctl
