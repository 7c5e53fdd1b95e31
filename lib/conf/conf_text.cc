// kong.conf syntax (see conf_text.h for the rules and where they come from).
#include "conf/conf_text.h"

#include <cctype>
#include <vector>

#include "base/text.h"

namespace kong::conf {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Penlight's config.lines: drops blank and comment lines, joins '\' continuations. A
// continuation still open at the end of the text is dropped, as Penlight does.
std::vector<std::string> LogicalLines(std::string_view text) {
  std::vector<std::string> out;
  std::string pending;
  bool continuing = false;
  for (std::string_view l : SplitLines(text)) {
    std::string_view trimmed = base::Trim(l);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    std::string_view right = l;
    while (!right.empty() && IsSpace(right.back())) right.remove_suffix(1);
    if (!right.empty() && right.back() == '\\') {
      pending.append(right.substr(0, right.size() - 1));
      continuing = true;
      continue;
    }
    if (continuing) {
      out.push_back(pending + std::string(l));
      pending.clear();
      continuing = false;
    } else {
      out.emplace_back(l);
    }
  }
  return out;
}

std::string VariableName(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

}  // namespace

std::string StripInlineComment(std::string_view value) {
  std::string v(value);
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '#' && (i == 0 || v[i - 1] != '\\')) {
      size_t cut = i;
      while (cut > 0 && IsSpace(v[cut - 1])) --cut;
      v.erase(cut);
      break;
    }
  }
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '#') continue;
    out += v[i];
  }
  return out;
}

std::map<std::string, std::string> ParseConfText(std::string_view text) {
  std::map<std::string, std::string> conf;
  for (const std::string& line : LogicalLines(text)) {
    // Penlight opens a section table here; Kong only reads top-level keys, so all later keys
    // are lost to it.
    if (!line.empty() && line[0] == '[') break;
    std::string_view l = line;
    while (!l.empty() && IsSpace(l.front())) l.remove_prefix(1);
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = VariableName(base::Trim(l.substr(0, eq)));
    if (key.empty()) continue;
    conf[key] = StripInlineComment(base::Trim(l.substr(eq + 1)));
  }
  return conf;
}

}  // namespace kong::conf
