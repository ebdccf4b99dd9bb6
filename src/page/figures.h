// The status page's figures in one table that every renderer reads: the HTML page and
// mod_status's HTML section, ?auto and mod_status's ?auto, ?json and ?prometheus. A new figure
// is one row in figures.cc; each row names itself in each format (nullptr: not in that format).
// What is a list rather than a figure (this server's sets, the skipped sets, the owners) each
// renderer lays out as a table of its own.
#pragma once

#include <string>
#include <vector>

#include "page/page_model.h"

namespace semguard {

// Where a figure stands: the HTML page's part and the ?json object it is in.
enum class Section {
  kVerdict,    // the first line of the HTML page; top level of ?json
  kPage,       // the HTML page's first list; top level of ?json
  kServer,     // ?json "server"
  kLastStart,  // ?json "last_start"; the HTML page's "Last start"
  kHost,       // ?json "host"; the HTML page's "Host"
};

enum class Kind {
  kNumber,  // an integer everywhere
  kFlag,    // true/false in ?json, 1/0 in ?auto and ?prometheus, yes/no in HTML
  kText,    // a string: ?json, ?auto and HTML only
};

// One labelled value of a figure that comes in parts (by type, by owner, one-hot).
struct Sample {
  std::string key;   // the Prometheus label's value; the ?json key; the ?auto key's tail
  long long n = 0;
  std::string name;  // a second Prometheus label's value (see Figure::name_label); "" none
};

using Model = const PageModel&;

struct Figure {
  Section section;
  const char* html;      // the HTML page's label
  const char* json;      // the key in its ?json object
  const char* auto_key;  // the ?auto key (mod_status's: with "SemGuard" before it)
  const char* metric;    // the Prometheus name after "semguard_"
  const char* type;      // "gauge" or "counter"
  const char* help;
  Kind kind;
  long long (*value)(Model);
  // kText: the text. Else, optional: how the HTML page says the value in words.
  std::string (*words)(Model) = nullptr;
  // Optional: Prometheus shows this instead of `value`, in seconds with six decimals.
  double (*seconds)(Model) = nullptr;
  // Optional: the figure in parts. Prometheus shows only these (one sample each, labelled
  // `label`); ?auto adds one key per part; ?json an object under `json_parts`.
  std::vector<Sample> (*parts)(Model) = nullptr;
  const char* label = nullptr;
  const char* name_label = nullptr;  // Prometheus: a part's `name` under this label
  const char* json_parts = nullptr;
  // Prometheus leaves the figure out while it is unknown (-1).
  bool may_be_unknown = false;
};

const std::vector<Figure>& Figures();

// The figure's value as text for ?auto (one line) and Prometheus (kNumber and kFlag only).
std::string PlainValue(const Figure& f, Model m);

}  // namespace semguard
