// Matcher evaluation: the ATC expression Kong builds for a traditional route, in C++.
#include "router/matcher.h"

#include <algorithm>
#include <tuple>

namespace kong::router {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Kong's header field names: lower case with '-' as '_' (replace_dashes_lower).
bool HeaderNameEquals(std::string_view request_name, std::string_view normalized) {
  if (request_name.size() != normalized.size()) return false;
  for (size_t i = 0; i < request_name.size(); ++i) {
    char c = Lower(request_name[i]);
    if (c == '-') c = '_';
    if (c != normalized[i]) return false;
  }
  return true;
}

bool EqualsLowered(std::string_view value, std::string_view lower) {
  if (value.size() != lower.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (Lower(value[i]) != lower[i]) return false;
  }
  return true;
}

bool NameMatches(const HostCondition& c, std::string_view name) {
  switch (c.op) {
    case NameOp::kExact:
      return name == c.text;
    case NameOp::kEndsWith:
      return name.size() >= c.text.size() &&
             name.compare(name.size() - c.text.size(), c.text.size(), c.text) == 0;
    case NameOp::kStartsWith:
      return name.size() >= c.text.size() && name.compare(0, c.text.size(), c.text) == 0;
  }
  return false;
}

bool HeaderMatches(const HeaderCondition& h, const http::HeaderMap* headers) {
  if (headers == nullptr) return false;
  // initial-exec: no __tls_get_addr call per lookup (the library is linked, not dlopen()ed).
  [[gnu::tls_model("initial-exec")]] thread_local std::string lowered;
  for (const auto& [name, value] : *headers) {
    if (!HeaderNameEquals(name, h.name)) continue;
    for (const std::string& v : h.values) {
      if (EqualsLowered(value, v)) return true;
    }
    if (!h.regexes.empty()) {
      lowered.assign(value);
      for (char& c : lowered) c = Lower(c);
      for (const auto& re : h.regexes) {
        if (re->Search(lowered)) return true;
      }
    }
  }
  return false;
}

}  // namespace

bool Matcher::Matches(const RequestView& req, RouteMatch* match) const {
  if (!schemes.empty() &&
      std::find(schemes.begin(), schemes.end(), req.scheme) == schemes.end()) {
    return false;
  }
  if (!snis.empty() && req.scheme == "https") {  // #6425: SNIs only bind https requests
    bool any = false;
    for (const HostCondition& s : snis) any = any || NameMatches(s, req.sni);
    if (!any) return false;
  }
  if (!methods.empty() &&
      std::find(methods.begin(), methods.end(), req.method) == methods.end()) {
    return false;
  }
  if (!hosts.empty()) {
    bool any = false;
    for (const HostCondition& h : hosts) {
      if (NameMatches(h, req.host) && (!h.port || *h.port == req.port)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  for (const HeaderCondition& h : headers) {
    if (!HeaderMatches(h, req.headers)) return false;
  }
  if (paths.empty()) return true;
  if (req.path.empty()) return false;  // an empty request path matches no path (§4.3)
  // Kong's expression ORs the paths in route order, so the first matching one is reported.
  [[gnu::tls_model("initial-exec")]] thread_local
      std::vector<std::optional<std::pair<size_t, size_t>>> groups;
  for (const PathCondition& p : paths) {
    if (p.re == nullptr) {
      if (req.path.substr(0, p.prefix.size()) == p.prefix) {
        match->path_matched = true;
        match->matched_path = {0, p.prefix.size()};
        match->captures.clear();
        match->capture_names.clear();
        return true;
      }
      continue;
    }
    if (!p.re->Search(req.path, &groups)) continue;
    match->path_matched = true;
    match->matched_path = groups[0].value_or(std::pair<size_t, size_t>{0, 0});
    match->captures.clear();
    match->capture_names.clear();
    if (groups.size() > 1) {  // Kong sets uri_captures only when the regex has groups
      match->captures = groups;
      match->capture_names = p.re->names();
    }
    return true;
  }
  return false;
}

bool HigherPriority(const Matcher& a, const Matcher& b) {
  auto key = [](const Matcher& m) {
    return std::make_tuple(m.match_weight, m.plain_hosts_only, m.header_count, m.regex_path,
                           m.regex_priority, m.prefix_length);
  };
  auto ka = key(a), kb = key(b);
  if (ka != kb) return ka > kb;
  return a.uuid > b.uuid;
}

std::string RegexLiteralHead(std::string_view re) {
  // A top-level alternation ("^/a|/b") would unanchor the second branch: no head at all.
  if (re.find('|') != std::string_view::npos) return "";
  std::string head;
  for (char c : re) {
    switch (c) {
      case '?': case '*': case '{':
        if (!head.empty()) head.pop_back();  // the previous character is optional
        return head;
      case '\\': case '^': case '$': case '.': case '+': case '(': case ')': case '[': case ']':
      case '}':
        return head;
      default:
        head += c;
    }
  }
  return head;
}

}  // namespace kong::router
