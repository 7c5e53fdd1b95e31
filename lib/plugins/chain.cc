// PluginSet::Build: compiles the `plugins` rows and resolves, per route, which configuration
// of each plugin name applies (kong-entities.md §6.1) in execution order (§6.2).
#include "plugins/chain.h"

#include <algorithm>
#include <map>

#include "base/macros.h"

namespace kong::plugins {
namespace {

// {"id": "..."}, a bare id, or null/absent.
Result<std::optional<std::string>> ForeignKey(const json::Value& row, std::string_view field,
                                              std::string_view where) {
  const json::Value* v = row.Find(field);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(v->as_string());
  if (v->is_object()) {
    const json::Value* id = v->Find("id");
    if (id != nullptr && id->is_string()) return std::optional<std::string>(id->as_string());
    if (id == nullptr || id->is_null()) return std::optional<std::string>();
  }
  return Status::InvalidArgument(std::string(where) + "." + std::string(field) +
                                 ": expected a foreign key");
}

const std::string* StringField(const json::Value& row, std::string_view field) {
  const json::Value* v = row.Find(field);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

int Rank(const PluginSpec& s) {
  const bool r = s.route_id.has_value(), sv = s.service_id.has_value(),
             c = s.consumer_id.has_value();
  if (r && sv && c) return 1;
  if (r && c) return 2;
  if (sv && c) return 3;
  if (r && sv) return 4;
  if (c) return 5;
  if (r) return 6;
  if (sv) return 7;
  return 8;
}

uint8_t ProtocolMask(const std::vector<std::string>& protocols) {
  uint8_t mask = 0;
  for (const std::string& p : protocols) {
    if (p == "http") mask |= kHttpProtocol;
    if (p == "https") mask |= kHttpsProtocol;
  }
  return mask;
}

// Lower rank wins; equal ranks (Kong forbids duplicate scopes) keep the first row.
const ConfiguredPlugin* Better(const ConfiguredPlugin* a, const ConfiguredPlugin* b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  return b->rank < a->rank ? b : a;
}

}  // namespace

Result<PluginSpec> ParsePluginSpec(const json::Value& row, std::string_view where) {
  if (!row.is_object()) return Status::InvalidArgument(std::string(where) + ": expected an object");
  PluginSpec spec;
  const std::string* id = StringField(row, "id");
  if (id == nullptr) return Status::InvalidArgument(std::string(where) + ".id: missing");
  spec.id = *id;
  const std::string* name = StringField(row, "name");
  if (name == nullptr) {
    return Status::InvalidArgument(std::string(where) + ".name: missing (plugin " + spec.id + ")");
  }
  spec.name = *name;
  if (const std::string* instance = StringField(row, "instance_name")) {
    spec.instance_name = *instance;
  }
  KONG_ASSIGN_OR_RETURN(spec.route_id, ForeignKey(row, "route", where));
  KONG_ASSIGN_OR_RETURN(spec.service_id, ForeignKey(row, "service", where));
  KONG_ASSIGN_OR_RETURN(spec.consumer_id, ForeignKey(row, "consumer", where));
  if (const json::Value* p = row.Find("protocols"); p != nullptr && p->is_array()) {
    for (const json::Value& v : p->as_array()) {
      if (v.is_string()) spec.protocols.push_back(v.as_string());
    }
  } else {
    spec.protocols = {"grpc", "grpcs", "http", "https"};  // Kong's default
  }
  if (const json::Value* e = row.Find("enabled"); e != nullptr && e->is_bool()) {
    spec.enabled = e->as_bool();
  }
  spec.config = row.Find("config");
  return spec;
}

const ConfiguredPlugin* ChainStep::Resolve(const Consumer* consumer) const {
  if (consumer != nullptr && consumer_scoped) {
    for (const ConsumerTable* table : by_consumer) {
      if (table == nullptr) continue;
      auto it = table->find(consumer);
      if (it == table->end()) continue;
      // Tables are most specific first: the first hit is the best consumer candidate.
      return Better(fixed, it->second);
    }
  }
  return fixed;
}

// The configurations of one plugin name, indexed by scope.
struct NameGroup {
  const PluginDescriptor* descriptor = nullptr;
  size_t slot = 0;
  const ConfiguredPlugin* global = nullptr;
  ConsumerTable* consumer_only = nullptr;  // rank 5
  uint32_t consumer_only_phases = 0;
  std::map<std::string, std::vector<const ConfiguredPlugin*>, std::less<>> by_route;
  std::map<std::string, std::vector<const ConfiguredPlugin*>, std::less<>> by_service;  // no route
  std::map<std::string, ConsumerTable*, std::less<>> service_consumer_tables;  // rank 3
};

class PluginSet::Builder {
 public:
  explicit Builder(PluginSet& set) : set_(set) {}

  Status Compile(const json::Value& flat, const PluginFactories& factories, const PluginEnv& env,
                 const ConsumerIndex& consumers) {
    const json::Value* rows = flat.Find("plugins");
    if (rows == nullptr || !rows->is_array()) return Status::Ok();
    std::map<std::string, NameGroup, std::less<>> groups;
    for (size_t i = 0; i < rows->as_array().size(); ++i) {
      std::string where = "$.plugins[" + std::to_string(i) + "]";
      KONG_ASSIGN_OR_RETURN(PluginSpec spec, ParsePluginSpec(rows->as_array()[i], where));
      if (!spec.enabled) continue;
      const PluginDescriptor* descriptor = factories.Find(spec.name);
      if (descriptor == nullptr) {
        return Status::InvalidArgument("plugin '" + spec.name +
                                       "' is configured but not available on this node");
      }
      auto configured = std::make_unique<ConfiguredPlugin>();
      configured->rank = Rank(spec);
      configured->protocols = ProtocolMask(spec.protocols);
      std::string id = spec.id;
      auto created = descriptor->create(std::move(spec), env);
      if (!created.ok()) {
        return Status::InvalidArgument("plugin " + id + " (" + descriptor->name +
                                       "): " + created.status().message());
      }
      configured->plugin = std::move(created).value();
      if (configured->plugin == nullptr) {
        return Status::InvalidArgument("plugin " + id + ": factory returned nothing");
      }
      configured->phases = configured->plugin->phases();
      const PluginSpec& s = configured->plugin->spec();
      if (s.consumer_id) configured->consumer = consumers.FindById(*s.consumer_id);
      NameGroup& group = groups[descriptor->name];
      group.descriptor = descriptor;
      const ConfiguredPlugin* cp = configured.get();
      set_.configured_.push_back(std::move(configured));
      if (s.consumer_id && cp->consumer == nullptr) continue;  // applies to no request
      if (s.route_id) {
        group.by_route[*s.route_id].push_back(cp);
      } else if (s.service_id) {
        group.by_service[*s.service_id].push_back(cp);
      } else if (s.consumer_id) {
        if (group.consumer_only == nullptr) group.consumer_only = NewTable();
        group.consumer_only->emplace(cp->consumer, cp);
        group.consumer_only_phases |= cp->phases;
      } else {
        group.global = Better(group.global, cp);
      }
    }
    // Execution order: descending priority, then name descending (§6.2).
    for (auto& [name, group] : groups) order_.push_back(&group);
    std::sort(order_.begin(), order_.end(), [](const NameGroup* a, const NameGroup* b) {
      if (a->descriptor->priority != b->descriptor->priority) {
        return a->descriptor->priority > b->descriptor->priority;
      }
      return a->descriptor->name > b->descriptor->name;
    });
    for (size_t i = 0; i < order_.size(); ++i) order_[i]->slot = i;
    set_.slot_count_ = order_.size();

    BuildShared();
    return BuildRouteChains(flat);
  }

 private:
  ConsumerTable* NewTable() {
    set_.tables_.push_back(std::make_unique<ConsumerTable>());
    return set_.tables_.back().get();
  }

  static ChainStep StepFor(const NameGroup& group) {
    ChainStep step;
    step.name = group.descriptor->name;
    step.slot = group.slot;
    return step;
  }

  static void Finish(Chain& chain) {
    for (const ChainStep& step : chain.steps) {
      chain.phases |= step.phases;
      chain.consumer_scoped = chain.consumer_scoped || step.consumer_scoped;
    }
    if (chain.consumer_scoped) return;
    for (int https = 0; https < 2; ++https) {
      const uint8_t protocol = https ? kHttpsProtocol : kHttpProtocol;
      for (const ChainStep& step : chain.steps) {
        const ConfiguredPlugin* cp = step.fixed;
        chain.resolved[https].push_back(cp && (cp->protocols & protocol) ? cp : nullptr);
      }
    }
  }

  // `phases`: those of the consumer-scoped candidates.
  static void AddStep(Chain& chain, ChainStep step, uint32_t phases) {
    for (const ConsumerTable* t : step.by_consumer) step.consumer_scoped |= t != nullptr;
    if (step.fixed == nullptr && !step.consumer_scoped) return;
    step.phases = phases | (step.fixed ? step.fixed->phases : 0);
    chain.steps.push_back(step);
  }

  void BuildShared() {
    for (const NameGroup* group : order_) {
      ChainStep global = StepFor(*group);
      global.fixed = group->global;
      AddStep(set_.global_, global, 0);
      ChainStep routed = StepFor(*group);
      routed.fixed = group->global;
      routed.by_consumer[3] = group->consumer_only;
      AddStep(set_.default_routed_, routed, group->consumer_only_phases);
    }
    Finish(set_.global_);
    Finish(set_.default_routed_);
  }

  Status BuildRouteChains(const json::Value& flat) {
    const json::Value* routes = flat.Find("routes");
    if (routes == nullptr || !routes->is_array()) return Status::Ok();
    const json::Array& rows = routes->as_array();
    set_.route_chains_.assign(rows.size(), nullptr);
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string* route_id = StringField(rows[i], "id");
      if (route_id == nullptr) continue;
      auto service = ForeignKey(rows[i], "service", "$.routes[" + std::to_string(i) + "]");
      std::string service_id = service.ok() ? service->value_or("") : "";
      bool own = false;
      for (const NameGroup* group : order_) {
        own = own || group->by_route.count(*route_id) > 0 ||
              (!service_id.empty() && group->by_service.count(service_id) > 0);
      }
      if (!own) continue;  // the default routed chain
      auto chain = std::make_unique<Chain>();
      for (NameGroup* group : order_) AddRouteStep(*chain, *group, *route_id, service_id);
      Finish(*chain);
      set_.route_chains_[i] = chain.get();
      set_.chains_.push_back(std::move(chain));
    }
    return Status::Ok();
  }

  void AddRouteStep(Chain& chain, NameGroup& group, const std::string& route_id,
                    const std::string& service_id) {
    ChainStep step = StepFor(group);
    uint32_t phases = group.consumer_only_phases;  // of the consumer-scoped candidates
    const ConfiguredPlugin* fixed = group.global;
    ConsumerTable* route_service_consumer = nullptr;  // rank 1
    ConsumerTable* route_consumer = nullptr;          // rank 2
    if (auto it = group.by_route.find(route_id); it != group.by_route.end()) {
      for (const ConfiguredPlugin* cp : it->second) {
        const PluginSpec& s = cp->plugin->spec();
        if (s.service_id && *s.service_id != service_id) continue;  // another service's
        if (cp->consumer != nullptr) {
          ConsumerTable*& table = cp->rank == 1 ? route_service_consumer : route_consumer;
          if (table == nullptr) table = NewTable();
          table->emplace(cp->consumer, cp);
          phases |= cp->phases;
        } else if (!s.consumer_id) {
          fixed = Better(fixed, cp);
        }
      }
    }
    ConsumerTable* service_consumer = nullptr;  // rank 3
    if (auto it = group.by_service.find(service_id);
        !service_id.empty() && it != group.by_service.end()) {
      auto cached = group.service_consumer_tables.find(service_id);
      bool build = cached == group.service_consumer_tables.end();
      for (const ConfiguredPlugin* cp : it->second) {
        if (cp->consumer != nullptr) {
          if (build) {
            if (service_consumer == nullptr) service_consumer = NewTable();
            service_consumer->emplace(cp->consumer, cp);
          }
          phases |= cp->phases;
        } else if (!cp->plugin->spec().consumer_id) {
          fixed = Better(fixed, cp);
        }
      }
      if (build) {
        group.service_consumer_tables.emplace(service_id, service_consumer);
      } else {
        service_consumer = cached->second;
      }
    }
    step.fixed = fixed;
    step.by_consumer[0] = route_service_consumer;
    step.by_consumer[1] = route_consumer;
    step.by_consumer[2] = service_consumer;
    step.by_consumer[3] = group.consumer_only;
    AddStep(chain, step, phases);
  }

  PluginSet& set_;
  std::vector<NameGroup*> order_;
};

Result<std::shared_ptr<const PluginSet>> PluginSet::Build(const json::Value& flat_config,
                                                          const PluginFactories& factories,
                                                          const PluginEnv& env,
                                                          const ConsumerIndex& consumers) {
  auto set = std::make_shared<PluginSet>();
  Builder builder(*set);
  KONG_RETURN_IF_ERROR(builder.Compile(flat_config, factories, env, consumers));
  return std::shared_ptr<const PluginSet>(std::move(set));
}

std::shared_ptr<const PluginSet> PluginSet::Empty() {
  static const std::shared_ptr<const PluginSet> empty = std::make_shared<PluginSet>();
  return empty;
}

}  // namespace kong::plugins
