// Router: template matching with literal-over-parameter precedence and 404/405 detection.
#include "admin/router.h"

#include <algorithm>
#include <set>
#include <utility>

namespace kong::admin {
namespace {

// Splits "/a/b/" into {"a", "b"}; "/" gives none. Only one trailing slash is dropped, so
// "/a//" still has an empty segment that no route matches.
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.emplace_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, RouteHandler handler, int priority) {
  Entry e;
  e.method = std::move(method);
  e.pattern = std::string(pattern);
  for (std::string& s : SplitPath(pattern)) {
    Segment seg;
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      seg.param = true;
      seg.text = s.substr(1, s.size() - 2);
    } else {
      seg.text = std::move(s);
    }
    e.segments.push_back(std::move(seg));
  }
  e.handler = std::move(handler);
  e.priority = priority;
  entries_.push_back(std::move(e));
}

bool Router::Matches(const Entry& entry, const std::vector<std::string>& segments) {
  if (entry.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = entry.segments[i];
    if (s.param ? segments[i].empty() : s.text != segments[i]) return false;
  }
  return true;
}

bool Router::MoreSpecific(const Entry& a, const Entry& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].param != b.segments[i].param) return !a.segments[i].param;
  }
  return false;
}

Router::Match Router::Find(std::string_view method, std::string_view raw_path) const {
  Match m;
  std::vector<std::string> segments = SplitPath(raw_path);
  for (std::string& s : segments) s = http::PercentDecode(s, /*plus_as_space=*/false);

  // The most specific matching template decides the path; its methods decide 405.
  const Entry* best = nullptr;
  for (const Entry& e : entries_) {
    if (!Matches(e, segments)) continue;
    if (!best || MoreSpecific(e, *best)) best = &e;
  }
  if (!best) return m;
  auto same_template = [&](const Entry& e) {
    if (e.segments.size() != best->segments.size()) return false;
    for (size_t i = 0; i < e.segments.size(); ++i) {
      if (e.segments[i].param != best->segments[i].param) return false;
      if (!e.segments[i].param && e.segments[i].text != best->segments[i].text) return false;
    }
    return true;
  };
  std::set<std::string> allowed;
  const Entry* chosen = nullptr;
  const Entry* get_fallback = nullptr;
  for (const Entry& e : entries_) {
    if (!same_template(e)) continue;
    allowed.insert(e.method);
    if (e.method == method && (!chosen || e.priority > chosen->priority)) chosen = &e;
    if (e.method == "GET" && (!get_fallback || e.priority > get_fallback->priority)) {
      get_fallback = &e;
    }
  }
  if (!chosen && method == "HEAD") chosen = get_fallback;
  m.allowed.assign(allowed.begin(), allowed.end());
  m.pattern = best->pattern;
  if (!chosen) return m;
  m.handler = &chosen->handler;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (chosen->segments[i].param) m.params[chosen->segments[i].text] = std::move(segments[i]);
  }
  return m;
}

std::vector<std::string> Router::Patterns() const {
  std::set<std::string> patterns;
  for (const Entry& e : entries_) patterns.insert(e.pattern);
  return {patterns.begin(), patterns.end()};
}

}  // namespace kong::admin
