// The renderers of the status page: one function per format, PageModel in, text out.
#pragma once

#include <string>

#include "page/page_model.h"
#include "page/page_query.h"

namespace semguard {

std::string RenderAuto(const PageModel& m, const std::string& key_prefix = "");
std::string RenderJson(const PageModel& m);
std::string RenderPrometheus(const PageModel& m);
// `full_page`: a whole document (our handler) or a section inside mod_status's page.
std::string RenderHtml(const PageModel& m, bool full_page, int refresh);

// The page in `format`, as the status handler serves it.
std::string Render(PageFormat format, const PageModel& m, int refresh);
const char* ContentType(PageFormat format);

// "mpm-accept" -> "MpmAccept", for ?auto keys.
std::string CamelCase(const std::string& type);
std::string HtmlEscape(const std::string& s);
std::string JsonEscape(const std::string& s);
std::string FormatTime(int64_t epoch_seconds);

}  // namespace semguard
