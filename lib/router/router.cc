// Router: the priority-ordered matchers plus an index that narrows each lookup to the few
// matchers whose host and path could possibly match.
//
// The index. Matchers are sorted once by Kong's priority (§4.5), and a matcher's position is
// its rank (0 = tried first). Each matcher is filed under
//   - a host bucket per host condition: `exact[host]`, `ends_with[".x"]` for "*.x",
//     `starts_with["x."]` for "x.*" (ports are checked later), or `any_host` when it has no
//     hosts; and, inside that bucket,
//   - a path key per path condition: the prefix itself, or the regex's literal head (a regex
//     is anchored, so every path it matches starts with that text), or "" for no paths.
// A bucket maps key -> ranks (ascending) and keeps the sorted set of key lengths it has.
// Find() computes the candidate lists: the request host's exact bucket, its "*.x" buckets
// (one probe per '.' in the host), its "x.*" buckets (likewise) and `any_host`; in each, one
// hash probe per distinct key length L <= |path| with path[0, L). Each list is walked in
// rank order until the first full match or until it passes the best rank found so far; the
// best rank wins. Lookup cost thus depends on the labels in the host, the distinct prefix
// lengths and the routes sharing a host and key, not on the number of routes.
#include "router/router.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "router/matcher.h"
#include "router/path_normalize.h"
#include "router/route_compiler.h"

namespace kong::router {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using RankList = std::vector<uint32_t>;

class PathBuckets {
 public:
  void Add(const std::string& key, uint32_t rank) {
    RankList& list = by_key_[key];
    if (list.empty() || list.back() != rank) list.push_back(rank);  // ranks arrive ascending
    auto it = std::lower_bound(lengths_.begin(), lengths_.end(), key.size());
    if (it == lengths_.end() || *it != key.size()) lengths_.insert(it, key.size());
  }
  void Collect(std::string_view path, std::vector<const RankList*>* out) const {
    for (size_t len : lengths_) {
      if (len > path.size()) break;
      auto it = by_key_.find(path.substr(0, len));
      if (it != by_key_.end()) out->push_back(&it->second);
    }
  }

 private:
  std::unordered_map<std::string, RankList, StringHash, std::equal_to<>> by_key_;
  std::vector<size_t> lengths_;  // ascending, distinct
};

using HostBuckets = std::unordered_map<std::string, PathBuckets, StringHash, std::equal_to<>>;

// Kong's split_host_port for the request's Host header.
std::pair<std::string_view, std::optional<uint32_t>> SplitHostPort(std::string_view host) {
  size_t colon = host.find(':');
  if (colon == std::string_view::npos) return {host, std::nullopt};
  std::string_view digits = host.substr(colon + 1);
  if (digits.empty() || digits.size() > 9) return {host, std::nullopt};
  uint32_t port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return {host, std::nullopt};
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  return {host.substr(0, colon), port};
}

}  // namespace

class Router::Impl {
 public:
  json::Value routes_json, services_json;  // RouteInfo::route/service point into these
  CompiledRoutes compiled;
  HostBuckets exact, ends_with, starts_with;
  PathBuckets any_host;

  void Index() {
    for (uint32_t rank = 0; rank < compiled.matchers.size(); ++rank) {
      const Matcher& m = compiled.matchers[rank];
      std::vector<std::string> keys;
      for (const PathCondition& p : m.paths) keys.push_back(p.literal);
      if (keys.empty()) keys.emplace_back();
      auto file = [&](PathBuckets& buckets) {
        for (const std::string& k : keys) buckets.Add(k, rank);
      };
      if (m.hosts.empty()) file(any_host);
      for (const HostCondition& h : m.hosts) {
        HostBuckets& table = h.op == NameOp::kExact     ? exact
                             : h.op == NameOp::kEndsWith ? ends_with
                                                         : starts_with;
        file(table[h.text]);
      }
    }
  }

  void Collect(std::string_view host, std::string_view path,
               std::vector<const RankList*>* lists) const {
    auto probe = [&](const HostBuckets& table, std::string_view key) {
      if (table.empty()) return;  // no hashing for a kind of host no route uses
      auto it = table.find(key);
      if (it != table.end()) it->second.Collect(path, lists);
    };
    probe(exact, host);
    if (!ends_with.empty() || !starts_with.empty()) {
      for (size_t i = 0; i < host.size(); ++i) {
        if (host[i] != '.') continue;
        if (!ends_with.empty()) probe(ends_with, host.substr(i));
        if (!starts_with.empty()) probe(starts_with, host.substr(0, i + 1));
      }
    }
    any_host.Collect(path, lists);
  }
};

Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Router::~Router() = default;

Result<std::shared_ptr<const Router>> Router::Build(const json::Value& flat_config,
                                                    const RouterOptions& options) {
  if (!flat_config.is_object()) {
    return Status::InvalidArgument("router: configuration must be a JSON object");
  }
  auto impl = std::make_unique<Impl>();
  if (const json::Value* r = flat_config.Find("routes")) impl->routes_json = *r;
  if (const json::Value* s = flat_config.Find("services")) impl->services_json = *s;
  auto compiled = CompileRoutes(impl->routes_json, impl->services_json, options);
  if (!compiled.ok()) return compiled.status();
  impl->compiled = std::move(compiled).value();
  impl->Index();
  return std::shared_ptr<const Router>(new Router(std::move(impl)));
}

namespace {

// Fills the request view from `request`; `match->path` receives the normalized path the view
// points into.
RequestView PrepareRequest(const RouteRequest& request, RouteMatch* match) {
  std::string_view raw = request.path.substr(0, request.path.find('?'));
  match->path = NormalizePath(raw);
  RequestView req;
  req.method = request.method;
  req.scheme = request.scheme;
  auto [host, host_port] = SplitHostPort(request.host);
  req.host = host;
  req.port = request.port;
  if (host_port) req.port = *host_port <= 65535 ? static_cast<uint16_t>(*host_port) : 0;
  req.sni = request.sni;
  if (req.sni.size() > 1 && req.sni.back() == '.') req.sni.remove_suffix(1);
  req.headers = request.headers;
  req.path = match->path;
  return req;
}

constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();

// Completes `match` for the matcher at `rank`, or returns nullopt for kNoRank.
std::optional<RouteMatch> Finish(const std::vector<Matcher>& matchers, uint32_t rank,
                                 const RequestView& req, RouteMatch match) {
  if (rank == kNoRank) return std::nullopt;
  match.route = matchers[rank].route;
  match.host = std::string(req.host);
  return match;
}

// Copies the path part of a successful evaluation into the result.
void TakePathResult(RouteMatch* from, RouteMatch* to) {
  to->path_matched = from->path_matched;
  to->matched_path = from->matched_path;
  to->captures = std::move(from->captures);
  to->capture_names = std::move(from->capture_names);
}

}  // namespace

std::optional<RouteMatch> Router::Find(const RouteRequest& request) const {
  RouteMatch match;
  RequestView req = PrepareRequest(request, &match);
  // initial-exec: no __tls_get_addr call per lookup (the library is linked, not dlopen()ed).
  [[gnu::tls_model("initial-exec")]] thread_local std::vector<const RankList*> lists;
  lists.clear();
  impl_->Collect(req.host, req.path, &lists);

  const std::vector<Matcher>& matchers = impl_->compiled.matchers;
  uint32_t best = kNoRank;
  for (const RankList* list : lists) {
    for (uint32_t rank : *list) {
      if (rank >= best) break;  // lists are ascending: nothing better left in this one
      RouteMatch scratch;
      if (matchers[rank].Matches(req, &scratch)) {
        best = rank;
        TakePathResult(&scratch, &match);
        break;
      }
    }
  }
  return Finish(matchers, best, req, std::move(match));
}

std::optional<RouteMatch> Router::TEST_FindLinear(const RouteRequest& request) const {
  RouteMatch match;
  RequestView req = PrepareRequest(request, &match);
  const std::vector<Matcher>& matchers = impl_->compiled.matchers;
  for (uint32_t rank = 0; rank < matchers.size(); ++rank) {
    RouteMatch scratch;
    if (matchers[rank].Matches(req, &scratch)) {
      TakePathResult(&scratch, &match);
      return Finish(matchers, rank, req, std::move(match));
    }
  }
  return std::nullopt;
}

size_t Router::route_count() const { return impl_->compiled.routes.size(); }

void Router::ForEachRoute(const std::function<void(const RouteInfo&)>& fn) const {
  for (const auto& route : impl_->compiled.routes) fn(*route);
}
size_t Router::matcher_count() const { return impl_->compiled.matchers.size(); }

std::optional<std::string_view> RouteMatch::capture(size_t i) const {
  if (i >= captures.size() || !captures[i]) return std::nullopt;
  return std::string_view(path).substr(captures[i]->first, captures[i]->second);
}

std::optional<std::string_view> RouteMatch::capture(std::string_view name) const {
  for (const auto& [n, index] : capture_names) {
    if (n == name) return capture(index);
  }
  return std::nullopt;
}

}  // namespace kong::router
