// BalancerSet: upstreams and targets of one snapshot, indexed by name.
#include "balancer/balancer_set.h"

#include <algorithm>
#include <map>

namespace kong::balancer {

Result<std::shared_ptr<const BalancerSet>> BalancerSet::Build(const json::Value& flat,
                                                              const BalancerSet* previous) {
  std::vector<UpstreamConfig> upstreams;
  if (const json::Value* list = flat.Find("upstreams"); list && !list->is_null()) {
    if (!list->is_array()) return Status::InvalidArgument("$.upstreams: expected an array");
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      auto u = ParseUpstream(list->as_array()[i], "$.upstreams[" + std::to_string(i) + "]");
      if (!u.ok()) return u.status();
      upstreams.push_back(std::move(u).value());
    }
  }
  std::map<std::string, size_t, std::less<>> by_name, by_id;
  for (size_t i = 0; i < upstreams.size(); ++i) {
    if (!by_name.emplace(upstreams[i].name, i).second)
      return Status::InvalidArgument("$.upstreams[" + std::to_string(i) +
                                     "].name: duplicate upstream '" + upstreams[i].name + "'");
    if (!upstreams[i].id.empty()) by_id.emplace(upstreams[i].id, i);
  }
  std::vector<std::vector<TargetConfig>> targets(upstreams.size());
  if (const json::Value* list = flat.Find("targets"); list && !list->is_null()) {
    if (!list->is_array()) return Status::InvalidArgument("$.targets: expected an array");
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      std::string where = "$.targets[" + std::to_string(i) + "]";
      auto t = ParseTarget(list->as_array()[i], where);
      if (!t.ok()) return t.status();
      size_t owner = upstreams.size();
      if (auto id = by_id.find(t->upstream_ref); id != by_id.end())
        owner = id->second;
      else if (auto n = by_name.find(t->upstream_ref); n != by_name.end())
        owner = n->second;
      if (owner == upstreams.size())
        return Status::InvalidArgument(where + ".upstream: upstream '" + t->upstream_ref +
                                       "' does not exist");
      std::vector<TargetConfig>& list_for = targets[owner];
      auto same = std::find_if(list_for.begin(), list_for.end(),
                               [&](const TargetConfig& o) { return o.address == t->address; });
      if (same != list_for.end())
        *same = std::move(t).value();
      else
        list_for.push_back(std::move(t).value());
    }
  }
  std::shared_ptr<BalancerSet> set(new BalancerSet());
  for (size_t i = 0; i < upstreams.size(); ++i)
    set->upstreams_.push_back(
        UpstreamBalancer::Create(std::move(upstreams[i]), std::move(targets[i])));
  std::sort(set->upstreams_.begin(), set->upstreams_.end(),
            [](const auto& a, const auto& b) { return a->config().name < b->config().name; });
  if (previous) {
    for (const auto& u : set->upstreams_)
      if (const UpstreamBalancer* old = previous->Find(u->config().name)) u->CarryStateFrom(*old);
  }
  return std::shared_ptr<const BalancerSet>(std::move(set));
}

const UpstreamBalancer* BalancerSet::Find(std::string_view name) const {
  auto it =
      std::lower_bound(upstreams_.begin(), upstreams_.end(), name,
                       [](const auto& u, std::string_view n) { return u->config().name < n; });
  if (it == upstreams_.end() || (*it)->config().name != name) return nullptr;
  return it->get();
}

const UpstreamBalancer* BalancerSet::FindById(std::string_view id) const {
  for (const auto& u : upstreams_)
    if (u->config().id == id) return u.get();
  return nullptr;
}

json::Value BalancerSet::HealthView() const {
  json::Value out = json::Value::EmptyObject();
  for (const auto& u : upstreams_) out.Set(u->config().name, u->HealthView());
  return out;
}

}  // namespace kong::balancer
